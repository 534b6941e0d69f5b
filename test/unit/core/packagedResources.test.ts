import { copyFileSync, globSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { amazonRootCaPem } from '../../../electron/core/certificates/rootCa'
import { resourcePath, resourcesDir, usePackagedResources } from '../../../electron/core/certificates/resourcesDir'
import { renderPolicyTemplate } from '../../../electron/core/policies/templates'
import { electronBuilderConfig } from '../../support/electronBuilderConfig'

// A packaged app runs from <resources>/app.asar, where walking up finds the asar's package.json
// and no resources beside it; electron-builder puts extraResources in process.resourcesPath/<to>.
// This lays out a temp folder the way electron.builder.yml's extraResources says and reads the
// root CA and the policy templates from it, as the packaged app does.

let resourcesPathOfPackagedApp: string

beforeAll(async () => {
  resourcesPathOfPackagedApp = mkdtempSync(join(tmpdir(), 'thingbench-packaged-'))
  const config = await electronBuilderConfig()
  const entries = [config.extraResources ?? []].flat()
  expect(entries.length, 'electron.builder.yml has extraResources').toBeGreaterThan(0)
  for (const entry of entries) {
    if (typeof entry === 'string') throw new Error(`extraResources entry "${entry}" without from/to: extend this test`)
    const from = resolve(entry.from ?? '.')
    const to = join(resourcesPathOfPackagedApp, entry.to ?? '.')
    const filters = [entry.filter ?? ['**/*']].flat()
    for (const relative of globSync(filters, { cwd: from })) {
      if (!statSync(join(from, relative)).isFile()) continue
      mkdirSync(dirname(join(to, relative)), { recursive: true })
      copyFileSync(join(from, relative), join(to, relative))
    }
  }
  delete process.env.THINGBENCH_RESOURCES_DIR
  usePackagedResources(resourcesPathOfPackagedApp)
})
afterAll(() => rmSync(resourcesPathOfPackagedApp, { recursive: true, force: true }))

describe('resources in the packaged app (mocked: a folder laid out as electron.builder.yml says)', () => {
  it('are read from process.resourcesPath, where extraResources puts them', () => {
    expect(resourcesDir().startsWith(resourcesPathOfPackagedApp)).toBe(true)
    expect(amazonRootCaPem()).toBe(readFileSync(resourcePath('AmazonRootCA1.pem'), 'utf8'))
    expect(amazonRootCaPem()).toMatch(/^-----BEGIN CERTIFICATE-----/)
  })

  it('include every policy template, rendered from the packaged copy', () => {
    const vars = { region: 'eu-west-1', accountId: '123456789012' }
    for (const template of ['shadow', 'shadow-jobs'] as const)
      expect(JSON.parse(renderPolicyTemplate(template, vars)).Statement.length, template).toBeGreaterThan(0)
    // Gone from the packaged copy, the template is gone for the app: it is read from there.
    rmSync(resourcePath('policies', 'shadow.json'))
    expect(() => renderPolicyTemplate('shadow', vars)).toThrow(/ENOENT/)
  })

  it('THINGBENCH_RESOURCES_DIR still wins over the packaged location', () => {
    expect(resourcesDir({ env: { THINGBENCH_RESOURCES_DIR: '/opt/thingbench-resources' } })).toBe(resolve('/opt/thingbench-resources'))
  })
})
