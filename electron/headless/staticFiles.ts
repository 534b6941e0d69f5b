import { readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'

// Serves the built renderer (out/renderer): plain files only, no directory listing, nothing
// outside the folder whatever the path says (`..`, encoded or not).

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8'
}

export type StaticAnswer =
  | { status: 200; body: Buffer; contentType: string }
  | { status: 400 | 403 | 404; body: string }

/**
 * The file a request path names inside `root` ("/" is index.html). `rawPath` is the path as sent,
 * before any URL normalisation, so a traversal attempt is refused rather than silently rewritten.
 */
export async function readStaticFile(root: string, rawPath: string): Promise<StaticAnswer> {
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath.split('?')[0]!)
  } catch {
    return { status: 400, body: 'Bad request path' }
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return { status: 400, body: 'Bad request path' }
  if (decoded.split(/[/\\]/).some((segment) => segment === '..')) return { status: 403, body: 'Forbidden' }
  const base = resolve(root)
  const path = resolve(join(base, decoded === '/' ? 'index.html' : decoded))
  if (!path.startsWith(base + sep)) return { status: 403, body: 'Forbidden' }
  try {
    if (!(await stat(path)).isFile()) return { status: 404, body: 'Not found' }
    const body = await readFile(path)
    return { status: 200, body, contentType: contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream' }
  } catch {
    return { status: 404, body: 'Not found' }
  }
}
