import { spawn } from 'node:child_process'

/** Opens a URL in the user's browser with the platform's opener; rejects saying why it could not. */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]]
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'ignore', detached: platform !== 'win32', windowsHide: true })
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? `${command} was not found` : `${command} failed: ${error.message}`))
    )
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${signal ?? `code ${code}`}`))))
    child.unref()
  })
}
