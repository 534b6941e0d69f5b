import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { NativeDialogs } from '../../../electron/app/api'
import { startTestApi, type TestApi } from '../../support/apiBackend'

// Electron gives the back end native dialogs; here they answer like a person would, and the back
// end's own code does the rest (the certificate file's reading: certificateFiles.test.ts).
let answer: { folder: string | null }
const asked: string[] = []
const foldersAsked: Array<string | undefined> = []
const dialogs: NativeDialogs = {
  chooseExportFolder: async (suggestedName) => {
    asked.push(suggestedName)
    return answer.folder
  },
  chooseFolder: async (current) => {
    foldersAsked.push(current)
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
  foldersAsked.length = 0
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

describe('the export folder the person chose once', () => {
  it('asks in the native dialog (from the folder chosen before), and says so when cancelled', async () => {
    answer = { folder: join(target, 'bundles') }
    expect(await t.api.call('files.chooseExportFolder', {})).toEqual({ folder: join(target, 'bundles') })
    expect(await t.api.call('files.chooseExportFolder', { current: join(target, 'bundles') })).toEqual({ folder: join(target, 'bundles') })
    expect(foldersAsked).toEqual([undefined, join(target, 'bundles')])
    answer = { folder: null }
    expect(await t.api.call('files.chooseExportFolder', {})).toEqual({ cancelled: true })
  })

  it('writes each bundle into a new folder inside it, without asking again, in both runtimes', async () => {
    for (const api of [t.api, browser.api]) {
      const outcome = await api.call('provisioning.run', { plan: { thingName: 'folder-lamp-0007', policy: { mode: 'none' } } })
      if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
      const chosen = join(target, 'chosen', api === t.api ? 'electron' : 'browser')
      if (api === t.api) {
        answer = { folder: chosen } // in Electron the folder is one the person picked in the dialog
        await api.call('files.chooseExportFolder', {})
      }
      const exported = await api.call('provisioning.exportBundle', { certificateId: outcome.result.certificateId, thingName: 'folder-lamp-0007', folder: chosen })
      if ('cancelled' in exported) throw new Error('cancelled')
      expect(exported.folder).toMatch(new RegExp(`^${chosen}/folder-lamp-0007-\\d{8}-\\d{6}$`))
      expect(await readdir(exported.folder)).toContain(`${outcome.result.certificateId}-private.pem.key`)
      await api.call('things.deprovision', { thingName: 'folder-lamp-0007', deletePolicy: false, dryRun: false })
    }
    expect(asked).toEqual([]) // the chosen folder is used, no dialog
  })

  it('in Electron, refuses a folder the page names that was never picked in the dialog, and writes nothing', async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'folder-lamp-unpicked', policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
    const unpicked = join(target, 'unpicked')
    await expect(
      t.api.call('provisioning.exportBundle', { certificateId: outcome.result.certificateId, thingName: 'folder-lamp-unpicked', folder: unpicked })
    ).rejects.toMatchObject({ errorName: 'InvalidArguments', message: expect.stringContaining("was not chosen in this app's folder dialog") })
    await expect(stat(unpicked)).rejects.toMatchObject({ code: 'ENOENT' })
    await t.api.call('things.deprovision', { thingName: 'folder-lamp-unpicked', deletePolicy: false, dryRun: false })
  })

  it('refuses a folder that cannot take the bundle, naming it and why, and writes nothing', async () => {
    const outcome = await browser.api.call('provisioning.run', { plan: { thingName: 'folder-lamp-bad', policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
    const { certificateId } = outcome.result
    const aFile = join(target, 'a-file')
    await writeFile(aFile, 'not a folder')
    await expect(browser.api.call('provisioning.exportBundle', { certificateId, thingName: 'folder-lamp-bad', folder: join(aFile, 'inside') })).rejects.toMatchObject({
      errorName: 'InvalidArguments',
      message: `The export folder ${join(aFile, 'inside')} cannot take the bundle (ENOTDIR): choose a folder you can write to`
    })
    await expect(browser.api.call('provisioning.exportBundle', { certificateId, thingName: 'folder-lamp-bad', folder: 'relative/bundles' })).rejects.toThrow(
      /folder must be an absolute path/
    )
    expect((await readdir(target)).sort()).toEqual(['a-file', 'chosen', 'lamp-1'])
  })
})

describe('without native dialogs (browser mode)', () => {
  it('answers files.chooseExportFolder with unsupported, so the page asks for a path', async () => {
    expect(await browser.api.call('files.chooseExportFolder', {})).toEqual({ unsupported: true })
  })

  it('answers files.pickCertificate with unsupported, so the page uses a file input', async () => {
    expect(await browser.api.call('files.pickCertificate', {})).toEqual({ unsupported: true })
  })
})
