import { readFile } from 'node:fs/promises'
import type { JsonObject } from '../core/shadow'
import { UsageError } from './errors'

// Flags that take a JSON document either inline or as `@file` (--desired, --reported, --report),
// and a payload either as text or `@file` (--message). Everything is checked here, before the
// command connects anywhere, so a typo never reaches AWS.

/** The flag's text, or the content of the file an `@path` value names. */
async function textArgument(flag: string, value: string): Promise<string> {
  return (await argumentBytes(flag, value)).toString('utf8')
}

/** The flag's bytes: the text as UTF-8, or the file an `@path` value names, unchanged (binary payloads too). */
export async function argumentBytes(flag: string, value: string): Promise<Buffer> {
  if (!value.startsWith('@')) return Buffer.from(value, 'utf8')
  const path = value.slice(1)
  try {
    return await readFile(path)
  } catch (error) {
    throw new UsageError(`${flag} ${value}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}

/** A JSON object (or `null`, which deletes the whole section of a shadow) from an inline value or `@file`. */
export async function jsonObjectArgument(flag: string, value: string, options: { allowNull?: boolean } = {}): Promise<JsonObject | null> {
  const text = await textArgument(flag, value)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON (${(error as Error).message}); nothing was sent. Quote it for the shell, e.g. ${flag} '{"on":true}'`)
  }
  if (parsed === null && options.allowNull) return null
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${flag} must be a JSON object such as '{"on":true}'${options.allowNull ? ' (or null to clear the section)' : ''}, got ${describeJsonType(parsed)}; nothing was sent`)
  return parsed as JsonObject
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}
