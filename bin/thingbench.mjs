#!/usr/bin/env node
// `thingbench`: runs the built CLI (out/main/cli.js, made by `npm run build`). Node's compile cache
// keeps the second start of a command as cheap as `node -e 0` plus the command's own work.
import { existsSync } from 'node:fs'
import module from 'node:module'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('thingbench: the CLI is not built yet: run `npm run build` (or `npm start`) in the ThingBench checkout first.\n')
  process.exit(2)
}
module.enableCompileCache?.()
await import(cli.href)
