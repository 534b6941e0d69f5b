import type { Store } from '../state/store'
import { ShadowBook } from './book'
import { shadowRecordKey, type ShadowRecord } from './record'

/**
 * The Local IoT Core's one ShadowBook, kept in the sandbox's store: loaded from the 'shadows'
 * collection, and each accepted change committed as one whole record before it is answered — so a
 * kill -9 leaves every shadow at its old or its new version, and nothing acknowledged is lost.
 */
export function openStoredShadows(store: Store, clock: () => number): ShadowBook {
  return new ShadowBook({
    clock,
    records: store.list<ShadowRecord>('shadows'),
    persistence: {
      save: (record) => store.commit([{ op: 'put', collection: 'shadows', key: shadowRecordKey(record), value: record }])
    }
  })
}
