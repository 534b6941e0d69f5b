import { runCli } from './index'

// Process entry of the `thingbench` command (bin/thingbench.mjs loads this file).
const code = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr })
process.exitCode = code
