import { describe, expect, it, vi } from 'vitest'

// electron/main/dialogs.ts with a MOCKED Electron (no binary here): the dialog module records the
// options each native dialog is opened with, and answers like a person would.

const electron = vi.hoisted(() => ({
  opened: [] as Array<{ withWindow: boolean; options: Record<string, unknown> }>,
  answer: { canceled: false, filePaths: ['/home/tech/bundles'] } as { canceled: boolean; filePaths: string[] }
}))
vi.mock('electron', () => ({
  app: { getPath: (name: string) => `/home/tech/${name === 'documents' ? 'Documents' : name}` },
  dialog: {
    showOpenDialog: async (...args: unknown[]) => {
      const withWindow = args.length === 2
      electron.opened.push({ withWindow, options: args.at(-1) as Record<string, unknown> })
      return electron.answer
    }
  }
}))

const { nativeDialogs } = await import('../../../electron/main/dialogs')
const window = { isDestroyed: () => false } as unknown as Electron.BrowserWindow

describe('the export folder dialog', () => {
  it('asks for a folder (which it may create), from the one chosen before or Documents, attached to the window', async () => {
    electron.opened.length = 0
    electron.answer = { canceled: false, filePaths: ['/home/tech/bundles'] }
    const dialogs = nativeDialogs(() => window)
    expect(await dialogs.chooseFolder()).toBe('/home/tech/bundles')
    expect(await dialogs.chooseFolder('/srv/line-3')).toBe('/home/tech/bundles')
    expect(electron.opened.map((o) => o.withWindow)).toEqual([true, true])
    const [first, second] = electron.opened.map((o) => o.options)
    expect(first).toMatchObject({ title: 'Choose where bundles go', buttonLabel: 'Use this folder', defaultPath: '/home/tech/Documents' })
    expect(first!.properties).toEqual(['openDirectory', 'createDirectory'])
    expect(first!.message).toMatch(/new folder, named after its thing/)
    expect(second!.defaultPath).toBe('/srv/line-3')
  })

  it('answers null when cancelled, and opens alone when the window is gone', async () => {
    electron.opened.length = 0
    electron.answer = { canceled: true, filePaths: [] }
    expect(await nativeDialogs(() => undefined).chooseFolder()).toBeNull()
    expect(electron.opened[0]!.withWindow).toBe(false)
  })
})
