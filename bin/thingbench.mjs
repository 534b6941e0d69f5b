#!/usr/bin/env node
// `thingbench` from a checkout: runs the TypeScript CLI through tsx (a dev dependency).
import { register } from 'tsx/esm/api'

register()
await import('../electron/cli/main.ts')
