import { openPtyPair, type PtyPair } from './ptyPair'

// A simulated board plugged in: a socat pty pair with the board started on its device end, the
// host end left for ThingBench. close() unplugs it, the board first.

export interface BoardOnPty<Board> {
  pair: PtyPair
  board: Board
  close(): Promise<void>
}

/** Opens a pty pair named `name` (in `folder`, for stable link names) and starts `start` on its device end. */
export async function boardOnPty<Board extends { close(): Promise<void> }>(name: string, start: (devicePath: string) => Promise<Board>, folder?: string): Promise<BoardOnPty<Board>> {
  const pair = await openPtyPair(name, folder)
  let board: Board
  try {
    board = await start(pair.devicePath)
  } catch (error) {
    await pair.close()
    throw error
  }
  return {
    pair,
    board,
    async close() {
      await board.close()
      await pair.close()
    }
  }
}

/** The thermostat as the bench tests use it: a fast step and no periodic report, so each report answers a change. */
export const quickThermostat = { tickMs: 20, thermostat: { rate: 50 }, reportEveryMs: 60_000 } as const
