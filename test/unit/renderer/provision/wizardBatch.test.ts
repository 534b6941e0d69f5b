// @vitest-environment happy-dom
import { DescribeThingCommand, DescribeThingTypeCommand } from '@aws-sdk/client-iot'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useProvisioningStore } from '../../../../renderer/src/stores/useProvisioningStore'
import { nextThingName } from '../../../../renderer/src/stores/support/planDraft'
import { undoActionLabel } from '../../../../renderer/src/views/provision/runLabels'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { mountApp, type MountedApp } from '../shell/mountApp'
import { wizardDriver } from './wizardDriver'

// The wizard made for 50 devices a day, against the real back end and the Local IoT Core: the
// keyboard path (focus, Enter), the next name of the batch (remembered across restarts), step
// headers, "Export and provision next" into a folder the user chose, the device endpoint on Done,
// and the New group / New thing type forms.
let t: TestApi
let app: MountedApp | undefined
let folders: string

beforeAll(async () => {
  t = await startTestApi()
  folders = await mkdtemp(join(tmpdir(), 'tb-wizard-batch-'))
})
afterAll(async () => {
  await t?.close()
  if (folders) await rm(folders, { recursive: true, force: true })
})
afterEach(() => {
  app?.unmount()
  app = undefined
})

async function open() {
  app = await mountApp(t.api)
  return { app, w: wizardDriver(app) }
}

/** Enter in an element, as the technician presses it. */
async function pressEnter(target: Element): Promise<void> {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
  await app!.settle()
}

const header = (step: string) => document.querySelector<HTMLElement>(`[data-testid="wizard-header-${step}"]`)!

describe('the next name of a batch', () => {
  it('adds one to the number at the end, keeping its zero padding; a name without one starts a series', () => {
    expect(nextThingName('lamp-0042')).toBe('lamp-0043')
    expect(nextThingName('lamp-0099')).toBe('lamp-0100')
    expect(nextThingName('lamp-9999')).toBe('lamp-10000')
    expect(nextThingName('bench:7')).toBe('bench:8')
    expect(nextThingName('lamp')).toBe('lamp-2')
    expect(nextThingName('lamp-v2-07')).toBe('lamp-v2-08')
    expect(nextThingName('x'.repeat(128))).toBeNull() // lamp-2 would be too long for AWS
  })
})

describe('run ids are the vault’s bookkeeping', () => {
  it('names the key the undo deletes for what it is, not by the run id', () => {
    const runId = '6f1c2a9e-3b1d-4c55-9a43-0f3e5d1e2a77'
    expect(undoActionLabel(`delete vault key ${runId}`, runId)).toBe('delete the new private key from the vault')
    expect(undoActionLabel(`delete vault key ${'ab'.repeat(32)}`, runId)).toBe('delete the private key of certificate abababababab… from the vault')
    expect(undoActionLabel('DeleteThing lamp-1', runId)).toBe('DeleteThing lamp-1')
  })
})

describe('made for 50 devices a day', () => {
  it('keyboard only: the name has the focus, Enter refuses an invalid step saying why, and goes on through a valid one to Done', async () => {
    const { app, w } = await open()
    const name = w.el('wizard-thing-name') as HTMLInputElement
    expect(document.activeElement).toBe(name)

    // Enter on an empty name: it stays, and says why instead of doing nothing.
    await pressEnter(name)
    expect(w.has('wizard-step-device')).toBe(true)
    expect(w.el('wizard-next-problem').textContent).toBe('Thing name is required')
    expect(w.el('wizard-thing-name-error').textContent).toBe('Thing name is required')

    // A valid name and Enter at once (before the look-up's pause): the look-up is awaited, then on.
    name.value = 'lamp-0042'
    name.dispatchEvent(new Event('input', { bubbles: true }))
    await pressEnter(name)
    await app.waitFor(() => w.has('wizard-step-identity'), 'the Identity step')
    expect(w.has('wizard-next-problem')).toBe(false)

    for (const step of ['wizard-step-policy', 'wizard-step-groups', 'wizard-step-review']) {
      await pressEnter(w.el('wizard-body'))
      await app.waitFor(() => w.has(step), step)
    }
    await app.waitFor(() => !w.isDisabled('wizard-run'), 'the preview')
    // Enter on the Review runs the plan; provisioned goes straight to Done (no Finish).
    await pressEnter(w.el('wizard-body'))
    await app.waitFor(() => w.has('wizard-step-done'), 'Done', 60_000)
    expect(w.el('done-thing-arn').textContent).toMatch(/:thing\/lamp-0042$/)
    // The batch's next move is one Enter away.
    expect(document.activeElement).toBe(w.el('done-export-next'))

    // Where devices connect: the Local IoT Core's broker, host:port to copy.
    const core = await t.session.localIotCore()
    const endpoint = await app.waitFor(() => w.has('done-mqtt-endpoint') && w.el('done-mqtt-endpoint'), 'the MQTT endpoint')
    expect(endpoint.textContent).toBe(`${core.mqttHost}:${core.mqttPort}`)
  })

  it('"Export and provision next": the bundle in the folder typed (browser mode), then the next name on the Review in one click', async () => {
    const { app, w } = await open()
    const store = useProvisioningStore()
    // Remembered from the last run, across a restart (a fresh Pinia): the next name is suggested.
    expect((w.el('wizard-thing-name') as HTMLInputElement).value).toBe('lamp-0043')
    expect(w.el('wizard-step-device').textContent).toContain('The next after lamp-0042')

    await w.type('wizard-thing-name', 'lamp-0050')
    for (const step of ['wizard-step-identity', 'wizard-step-policy', 'wizard-step-groups', 'wizard-step-review']) await w.next(step)
    await app.waitFor(() => !w.isDisabled('wizard-run'), 'the preview')
    await w.click('wizard-run')
    await app.waitFor(() => w.has('wizard-step-done'), 'Done', 60_000)

    // Browser mode: the folder is a path the back end checks. One it cannot use is refused, naming it.
    const aFile = join(folders, 'not-a-folder')
    await writeFile(aFile, 'x')
    await app.waitFor(() => w.has('done-export-folder-path'), 'the export folder field')
    await w.type('done-export-folder-path', join(aFile, 'bundles'))
    await w.click('done-export-next')
    await app.waitFor(() => !store.exporting && w.el('wizard-step-done').textContent?.includes('cannot take the bundle'), 'the folder refused')
    expect(w.el('wizard-step-done').textContent).toContain(`The export folder ${join(aFile, 'bundles')} cannot take the bundle (ENOTDIR)`)
    expect(w.has('wizard-step-done')).toBe(true) // did not move on

    const bundles = join(folders, 'line-3', 'bundles') // not there yet: created
    await w.type('done-export-folder-path', bundles)
    await w.click('done-export-next')
    await app.waitFor(() => w.has('wizard-step-review') && w.has('review-calls'), 'the next device on the Review', 30_000)
    const [written] = await readdir(bundles)
    expect(written).toMatch(/^lamp-0050-\d{8}-\d{6}$/)
    expect((await readdir(join(bundles, written!))).some((f) => f.endsWith('-private.pem.key'))).toBe(true)
    expect(store.draft.thingName).toBe('lamp-0051')
    expect(w.el('wizard-step-review').textContent).toContain('lamp-0051')

    // Step headers: back to Device at once; forward again through the ready steps to the Review.
    header('device').click()
    await app.waitFor(() => w.has('wizard-step-device'), 'Device from its header')
    header('review').click()
    await app.waitFor(() => w.has('wizard-step-review') && w.has('review-calls'), 'Review from its header')
    // Not past a step that is not ready: an existing name stops the jump at Device, saying why.
    header('device').click()
    await app.waitFor(() => w.has('wizard-step-device'), 'Device again')
    await w.type('wizard-thing-name', 'lamp-0050')
    header('groups').click()
    await app.waitFor(() => w.has('wizard-next-problem'), 'the reason the jump stopped')
    expect(w.has('wizard-step-device')).toBe(true)
    expect(w.el('wizard-next-problem').textContent).toContain('lamp-0050 already exists')

    // The folder is remembered across a restart.
    app.unmount()
    const again = await open()
    expect(useProvisioningStore().exportFolder).toBe(bundles)
    expect((again.w.el('wizard-thing-name') as HTMLInputElement).value).toBe('lamp-0051')
  })

  it('a group made in the wizard is chosen at once; a thing type can be made from the type picker', async () => {
    const { app, w } = await open()
    const store = useProvisioningStore()
    const iot = await t.session.iotClient({ kind: 'local' })

    await w.click('thing-type-new')
    await w.type('thing-type-new-name', 'bench lamp')
    expect(w.el('thing-type-new-form').textContent).toContain('Thing type name may contain only letters, digits')
    expect(w.isDisabled('thing-type-create')).toBe(true)
    await w.type('thing-type-new-name', 'bench-lamp')
    await w.type('thing-type-new-description', 'Lamps on the bench')
    await w.type('thing-type-new-searchable', 'serial, batch, room, floor')
    expect(w.el('thing-type-new-form').textContent).toContain('A thing type has at most 3 searchable attributes')
    await w.type('thing-type-new-searchable', 'serial, batch')
    await w.click('thing-type-create')
    await app.waitFor(() => store.draft.thingTypeName === 'bench-lamp', 'the new type chosen')
    expect(w.has('thing-type-new-form')).toBe(false)
    await app.waitFor(() => document.body.textContent?.includes('Thing type bench-lamp created'), 'the toast')
    const described = await iot.send(new DescribeThingTypeCommand({ thingTypeName: 'bench-lamp' }))
    expect(described.thingTypeProperties).toMatchObject({ thingTypeDescription: 'Lamps on the bench', searchableAttributes: ['serial', 'batch'] })

    await w.type('wizard-thing-name', 'typed-lamp-1')
    for (const step of ['wizard-step-identity', 'wizard-step-policy', 'wizard-step-groups']) await w.next(step)
    await w.type('group-new-name', 'bench-line')
    await w.click('group-create')
    await app.waitFor(() => document.body.textContent?.includes('Group bench-line created'), 'the group toast')
    expect(store.draft.groups).toEqual(['bench-line'])
    await w.next('wizard-step-review')
    await app.waitFor(() => !w.isDisabled('wizard-run'), 'the preview')
    await w.click('wizard-run')
    await app.waitFor(() => w.has('wizard-step-done'), 'Done', 60_000)
    const thing = await iot.send(new DescribeThingCommand({ thingName: 'typed-lamp-1' }))
    expect(thing.thingTypeName).toBe('bench-lamp')
    expect(w.el('wizard-step-done').textContent).toContain('bench-line')
  })
})

describe('the export folder in Electron', () => {
  it('asks once in the native dialog, writes there, and the next bundles go there without asking', async () => {
    const asked: Array<string | undefined> = []
    const chosen = join(folders, 'electron-bundles')
    const electron = await startTestApi({
      runtime: 'electron',
      dialogs: {
        chooseFolder: async (current) => {
          asked.push(current)
          return chosen
        },
        chooseExportFolder: async () => {
          throw new Error('the old per-export dialog is not used once a folder is chosen')
        },
        pickCertificateFile: async () => null,
        confirmEndpoint: async () => false
      }
    })
    try {
      localStorage.clear() // a first start on this machine
      app = await mountApp(electron.api)
      const w = wizardDriver(app)
      await w.type('wizard-thing-name', 'desk-lamp-0001')
      for (const step of ['wizard-step-identity', 'wizard-step-policy', 'wizard-step-groups', 'wizard-step-review']) await w.next(step)
      await app.waitFor(() => !w.isDisabled('wizard-run'), 'the preview')
      await w.click('wizard-run')
      await app.waitFor(() => w.has('wizard-step-done'), 'Done', 60_000)
      await app.waitFor(() => w.has('done-export-folder-choose'), 'the folder chooser')
      expect(w.has('done-export-folder-path')).toBe(false) // no path to type in Electron

      await w.click('done-export-next')
      await app.waitFor(() => w.has('wizard-step-review') && w.has('review-calls'), 'desk-lamp-0002 on the Review', 30_000)
      expect(asked).toEqual([undefined])
      expect((await readdir(chosen))[0]).toMatch(/^desk-lamp-0001-/)

      await app.waitFor(() => !w.isDisabled('wizard-run'), 'the preview')
      await w.click('wizard-run')
      await app.waitFor(() => w.has('wizard-step-done'), 'Done', 60_000)
      expect(w.el('done-export-folder-chosen').textContent).toBe(chosen)
      await w.click('done-export')
      await app.waitFor(() => w.has('done-export-result'), 'the second bundle')
      expect(asked).toEqual([undefined]) // remembered: not asked again
      expect((await readdir(chosen)).sort()).toEqual([expect.stringMatching(/^desk-lamp-0001-/), expect.stringMatching(/^desk-lamp-0002-/)])
    } finally {
      app?.unmount()
      app = undefined
      await electron.close()
    }
  })
})

