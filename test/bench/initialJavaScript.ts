import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

// The renderer's initial JavaScript, gzip'd, as the browser loads it before any lazy route: the
// entry and its modulepreloads in out/renderer/index.html (target <= 350 KB). Run by bench:ui and
// bench:inspector; needs `npm run build` first.

const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))
export const initialJavaScriptTargetKb = 350

export function initialJavaScript(): { files: Array<{ file: string; raw: number; gzip: number }>; gzip: number } {
  const indexFile = join(rendererDir, 'index.html')
  if (!existsSync(indexFile)) throw new Error(`${indexFile} is missing: run \`npm run build\` first`)
  const html = readFileSync(indexFile, 'utf8')
  const referenced = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)
  ].map((m) => m[1]!)
  const files = [...new Set(referenced)].map((ref) => {
    const bytes = readFileSync(join(rendererDir, ref.replace(/^\.?\//, '')))
    return { file: ref, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
  })
  return { files, gzip: files.reduce((sum, f) => sum + f.gzip, 0) }
}

/** Prints the total against the target and each file; returns whether the target is met. */
export function printInitialJavaScript(label: string): boolean {
  const js = initialJavaScript()
  const met = js.gzip <= initialJavaScriptTargetKb * 1024
  console.log(`${label}  initial renderer JavaScript: ${(js.gzip / 1024).toFixed(1)} KB gzip (target <= ${initialJavaScriptTargetKb} KB): ${met ? 'met' : 'NOT met'}`)
  for (const f of js.files) console.log(`  ${f.file}  ${(f.raw / 1024).toFixed(1)} KB raw, ${(f.gzip / 1024).toFixed(1)} KB gzip`)
  return met
}
