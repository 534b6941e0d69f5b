import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { NativeDialogs } from '../../../electron/app/api'
import { startTestApi, type TestApi } from '../../support/apiBackend'

// Electron gives the back end native dialogs; here they answer like a person would, and the back
// end's own code does the rest (the certificate file's reading: certificateFiles.test.ts).
let answer: { folder: string | null }
const asked: string[] = []
const dialogs: NativeDialogs = {
  chooseExportFolder: async (suggestedName) => {
    asked.push(suggestedName)
    return answer.folder
  },
  pickCertificateFile: async () => null,
  confirmEndpoint: async () => false
}

let t: TestApi
let browser: TestApi
let target: string
beforeAll(async () => {
  ;[t, browser] = await Promise.all([startTestApi({ dialogs }), startTestApi()])
  target = await mkdtemp(join(tmpdir(), 'tb-export-'))
})
afterAll(async () => {
  await Promise.all([t?.close(), browser?.close()])
  if (target) await rm(target, { recursive: true, force: true })
})
afterEach(() => {
  asked.length = 0
})

describe('with native dialogs (Electron)', () => {
  it('writes the bundle where the person chose, and nothing when they cancel', async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'dlg:lamp-1', policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
    const { certificateId } = outcome.result

    answer = { folder: null }
    expect(await t.api.call('provisioning.exportBundle', { certificateId, thingName: 'dlg:lamp-1' })).toEqual({ cancelled: true })
    // ":" is not allowed in folder names on Windows or in the Finder.
    expect(asked[0]).toMatch(/^dlg_lamp-1-\d{8}-\d{6}$/)
    expect(await readdir(target)).toEqual([])

    answer = { folder: join(target, 'lamp-1') }
    const exported = await t.api.call('provisioning.exportBundle', { certificateId, thingName: 'dlg:lamp-1' })
    expect(exported).toMatchObject({ folder: join(target, 'lamp-1') })
    expect((await readdir(join(target, 'lamp-1'))).length).toBe(5)
    expect((await stat(join(target, 'lamp-1', `${certificateId}-private.pem.key`))).mode & 0o777).toBe(0o600)
  })
})

describe('without native dialogs (browser mode)', () => {
  it('answers files.pickCertificate with unsupported, so the page uses a file input', async () => {
    expect(await browser.api.call('files.pickCertificate', {})).toEqual({ unsupported: true })
  })
})
