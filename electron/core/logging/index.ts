export { openLog, type AppLog, type OpenLogOptions } from './logger'
export { scrubSecrets } from './scrubSecrets'
