import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openInBrowser } from '../../headless/openInBrowser'
import { startHeadlessServer, type HeadlessServer } from '../../headless'
import { UsageError } from '../errors'
import type { CommandContext } from '../commandContext'
import { withRecoveredSession } from '../runSession'

const options = {
  port: { type: 'string' },
  open: { type: 'boolean' }
} as const

/**
 * Browser mode: serves the built UI and the contract on 127.0.0.1 until SIGINT/SIGTERM. Prints one
 * JSON line `{ url, port, home }`; the URL carries the access token.
 */
export async function serveCommand(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  const port = flags.port === undefined ? 0 : Number(flags.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${flags.port}"`)
  const root = packageRoot()
  const rendererDir = ctx.env.THINGBENCH_RENDERER_DIR ? resolve(ctx.env.THINGBENCH_RENDERER_DIR) : join(root, 'out', 'renderer')
  if (!existsSync(join(rendererDir, 'index.html'))) {
    ctx.stderr.write(`thingbench serve: the built UI is missing (no ${join(rendererDir, 'index.html')}): run \`npm run build\` first\n`)
    return 1
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version

  return withRecoveredSession(ctx, false, async (session) => {
    const stopped = new Promise<string>((resolve) => {
      signals.once('SIGINT', () => resolve('SIGINT'))
      signals.once('SIGTERM', () => resolve('SIGTERM'))
    })
    let server: HeadlessServer
    try {
      server = await startHeadlessServer({ session, port, rendererDir, version, log: (line) => ctx.stderr.write(line + '\n') })
    } catch (error) {
      // e.g. the port is taken: the reason alone, on one line.
      ctx.stderr.write(`thingbench serve: ${(error as Error).message}\n`)
      return 1
    }
    try {
      ctx.stdout.write(JSON.stringify({ url: server.url, port: server.port, home: ctx.home }) + '\n')
      if (flags.open)
        openInBrowser(server.url, process.platform, ctx.env).catch((error: Error) =>
          ctx.stderr.write(`Warning: could not open a browser (${error.message}); open the URL above yourself.\n`)
        )
      const signal = await stopped
      ctx.stderr.write(`ThingBench stopping (${signal})\n`)
    } finally {
      await server.close()
    }
    return 0
  })
}

/** The folder holding ThingBench's package.json (walking up from this file: works from sources and builds). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find ThingBench's package.json above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
  return dir
}
