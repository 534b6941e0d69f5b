// npm run bench:history [-- --versions N]
// The state history's write rate, a 100,000-version time-range query and its CSV export (historyFigures.ts).
import { parseArgs } from 'node:util'
import { historyTargetsMet, measureHistory, printHistoryFigures } from './historyFigures'

const { values } = parseArgs({ options: { versions: { type: 'string', default: '100000' } } })
const figures = await measureHistory(Number(values.versions))
printHistoryFigures(figures)
if (!historyTargetsMet(figures)) process.exitCode = 1
