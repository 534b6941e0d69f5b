// AWS ends a persistent session (clean session false) an hour after its client disconnected,
// adjustable (DG mqtt.md); Aedes keeps them for ever. This forgets a session once its time is up,
// unless its client came back first.

export const DEFAULT_SESSION_EXPIRY_MS = 3600_000

export class SessionExpiry {
  private readonly timers = new Map<string, NodeJS.Timeout>()

  constructor(
    private readonly expiryMs: number,
    private readonly expire: (clientId: string) => void
  ) {}

  /** A persistent session's client disconnected: its session ends after the expiry. */
  disconnected(clientId: string): void {
    this.resumed(clientId)
    const timer = setTimeout(() => {
      this.timers.delete(clientId)
      this.expire(clientId)
    }, this.expiryMs)
    timer.unref()
    this.timers.set(clientId, timer)
  }

  /** The client id connected again (resuming or replacing its session). */
  resumed(clientId: string): void {
    const timer = this.timers.get(clientId)
    if (timer === undefined) return
    clearTimeout(timer)
    this.timers.delete(clientId)
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }
}
