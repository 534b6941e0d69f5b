import { describe, expect, it } from 'vitest'
import { ShadowBook, shadowRecordKey, type ShadowRecord } from '../../../../electron/sandbox/shadow'
import { acceptedPayload, fixture, lamp, lampConfig, rejection, START_MS, START_S } from './bookFixture'

// The persistence seam: each accepted change is one whole record, saved before it is visible or
// answered; a failed save changes nothing; a book rebuilt from saved records continues where the
// old one stopped (versions, tombstones within 48 h).

function recordingPersistence() {
  const saved: ShadowRecord[] = []
  return {
    saved,
    persistence: {
      save(record: Readonly<ShadowRecord>) {
        // As the sandbox's store does: the record goes through JSON.
        saved.push(JSON.parse(JSON.stringify(record)) as ShadowRecord)
      }
    }
  }
}

describe('shadow persistence', () => {
  it('saves one complete record per accepted update or delete, and nothing for a rejection', () => {
    const { saved, persistence } = recordingPersistence()
    const f = fixture({ persistence })
    acceptedPayload(f.update(lampConfig, { state: { desired: { on: true } } }))
    rejection(f.update(lampConfig, { state: { desired: 'on' } }))
    rejection(f.update(lampConfig, { state: { desired: { on: false } }, version: 7 }))
    acceptedPayload(f.book.get(lampConfig))
    acceptedPayload(f.book.delete(lampConfig))
    expect(saved).toEqual([
      {
        thingName: 'lamp-1',
        shadowName: 'config',
        version: 1,
        state: { desired: { on: true } },
        metadata: { desired: { on: { timestamp: START_S } } }
      },
      { thingName: 'lamp-1', shadowName: 'config', version: 1, state: {}, metadata: {}, deletedAt: START_MS }
    ])
  })

  it('a save that fails → 500 InternalFailureException and the shadow stays at its old version', () => {
    let failing = false
    const f = fixture({
      persistence: {
        save() {
          if (failing) throw new Error('disk full')
        }
      }
    })
    acceptedPayload(f.update(lamp, { state: { reported: { on: true } } }))
    failing = true
    const { payload, error } = rejection(f.update(lamp, { state: { reported: { on: false } }, clientToken: 'w-1' }))
    expect(payload).toEqual({ code: 500, message: 'Internal service failure', timestamp: START_S, clientToken: 'w-1' })
    expect([error.status, error.errorName]).toEqual([500, 'InternalFailureException'])
    expect((error.cause as Error).message).toBe('disk full')
    expect(rejection(f.book.delete(lamp)).error.code).toBe(500)
    failing = false
    expect(f.document()).toMatchObject({ version: 1, state: { reported: { on: true } } })
    expect(acceptedPayload(f.update(lamp, { state: { reported: { on: false } } })).version).toBe(2)
  })

  it('a book built from the saved records answers the same and continues the versions, deleted ones included', () => {
    const { saved, persistence } = recordingPersistence()
    const f = fixture({ persistence })
    acceptedPayload(f.update(lamp, { state: { desired: { on: true }, reported: { on: false } } }))
    acceptedPayload(f.update(lamp, { state: { reported: { fw: '1.0' } } }))
    for (let i = 0; i < 4; i++) acceptedPayload(f.update(lampConfig, { state: { reported: { i } } }))
    acceptedPayload(f.book.delete(lampConfig))

    // What a store keyed by shadowRecordKey would hold: the last record of each shadow.
    const latest = new Map(saved.map((record) => [shadowRecordKey(record), record]))
    expect([...latest.keys()]).toEqual(['lamp-1\u0000', 'lamp-1\u0000config'])
    const reopened = new ShadowBook({ clock: () => START_MS, records: latest.values() })
    expect(acceptedPayload(reopened.get(lamp))).toEqual(f.document(lamp))
    expect(rejection(reopened.get(lampConfig)).error.code).toBe(404)
    expect(acceptedPayload(reopened.update(lamp, '{"state":{"desired":{"on":false}},"version":2}')).version).toBe(3)
    expect(acceptedPayload(reopened.update(lampConfig, '{"state":{}}')).version).toBe(5)
  })

  it('records handed out are never changed afterwards, and answers cannot change the stored document', () => {
    const kept: Readonly<ShadowRecord>[] = []
    const f = fixture({ persistence: { save: (record) => void kept.push(record) } })
    acceptedPayload(f.update(lamp, { state: { desired: { list: [1], nested: { a: 1 } } } }))
    acceptedPayload(f.update(lamp, { state: { desired: { list: [2], nested: { a: 2 } } } }))
    expect(kept[0].state).toEqual({ desired: { list: [1], nested: { a: 1 } } })

    const answer = f.document()
    const desired = (answer.state as { desired: { nested: { a: number } } }).desired
    expect(() => {
      desired.nested.a = 99
    }).toThrow(TypeError)
    expect(f.document().state).toMatchObject({ desired: { nested: { a: 2 } } })
  })
})
