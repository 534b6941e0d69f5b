import { join } from 'node:path'
import type { Handlers, ShadowKeyView } from '../../contract'
import { exportRange, structuralDiff, type ShadowRef } from '../../core/history'
import { historyConnectionKey } from '../historyRecorder'
import type { BackendContext } from './context'

// history.*: the versions the watches recorded (see ../historyRecorder.ts), for the chosen
// connection — its timeline, one version, the diff of two, exports written by the back end, and
// the limits the history is kept to.

export function historyHandlers(ctx: BackendContext): Pick<Handlers, 'history.versions' | 'history.version' | 'history.diff' | 'history.export' | 'history.settings' | 'history.setSettings'> {
  const history = () => ctx.session.history()
  const shadowOf = ({ thingName, shadowName }: ShadowKeyView): ShadowRef => ({ connection: historyConnectionKey(ctx.connection()), thingName, ...(shadowName === undefined ? {} : { shadowName }) })
  return {
    'history.versions': async ({ thingName, shadowName, from, to, nextToken, maxResults, withDocuments }) =>
      history().versions({
        ...shadowOf({ thingName, ...(shadowName === undefined ? {} : { shadowName }) }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(nextToken === undefined ? {} : { nextToken }),
        maxResults,
        withDocuments
      }),
    'history.version': async ({ version, ...key }) => history().version(shadowOf(key), version),
    'history.diff': async ({ from, to, ...key }) => {
      const shadow = shadowOf(key)
      const [before, after] = [history().version(shadow, from), history().version(shadow, to)]
      return { from: before, to: after, changes: structuralDiff(before.document.state, after.document.state) }
    },
    'history.export': async ({ format, folder, from, to, ...key }) => {
      const path = join(folder ?? ctx.session.layout.historyExportsDir, exportFileName(key, format))
      const { rows } = await exportRange(history(), shadowOf(key), { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }, format, path)
      return { path, rows }
    },
    'history.settings': async () => history().settings(),
    'history.setSettings': async (change) => history().setSettings(change)
  }
}

/** thing[-shadow]-<UTC time to the ms>.csv: two exports never share a name; ":" (allowed in thing names) is not allowed in Windows file names. */
function exportFileName({ thingName, shadowName }: ShadowKeyView, format: 'csv' | 'jsonl'): string {
  const stamp = new Date().toISOString().replaceAll(/[-:]/g, '').replace('.', '-')
  return `${[thingName, shadowName].filter(Boolean).join('-').replaceAll(':', '_')}-${stamp}.${format}`
}
