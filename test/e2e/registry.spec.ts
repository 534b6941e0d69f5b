import { CreateThingCommand, GetPolicyCommand, ListPolicyVersionsCommand, ListThingsInThingGroupCommand, ListThingTypesCommand } from '@aws-sdk/client-iot'
import type { Page } from '@playwright/test'
import { callApi } from './callApi'
import { expect, test } from './fixtures'

// The registry views in browser mode against `thingbench serve` and the Local IoT Core: a policy and
// a new version written in the editor and checked as typed; a group's members and policies managed
// and the group deleted; a thing type deleted the way AWS allows. Checked through the AWS SDK too.

const allow = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] }, null, 2)
const toast = (page: Page) => page.locator('.n-message')

/** Replaces the policy editor's text the way a user pasting would. */
async function writeDocument(page: Page, text: string): Promise<void> {
  const editor = page.getByTestId('policy-document-editor')
  await editor.click()
  await page.keyboard.press('Control+A')
  await page.keyboard.press('Delete')
  await page.keyboard.insertText(text)
}

/** Picks an option of a naive-ui select after typing part of its label (the picker's search). */
async function pick(page: Page, testId: string, search: string, label: string): Promise<void> {
  await page.getByTestId(testId).click()
  await page.keyboard.type(search)
  await page.locator('.n-base-select-option', { hasText: label }).first().click()
}

test('creates a policy and a new version in the editor, checked as typed, and makes room past five versions', async ({ app, served, iot, snap }) => {
  test.slow() // a long flow, many AWS calls: more than the default 90 s on a busy 2-core machine
  await app.goto(`${served.url}#/policies`)
  await expect(app.getByTestId('registry-list-empty')).toContainText('No policies yet')
  await app.getByTestId('policy-new').click()
  await app.getByTestId('policy-new-name').fill('lamp-policy')

  await writeDocument(app, allow('iot:Connect').replace('"Allow"', '"Perhaps"'))
  const check = app.getByTestId('policy-document-check')
  await expect(check).toHaveAttribute('data-state', 'problem')
  await expect(check).toContainText('Effect')
  await expect(app.getByTestId('policy-document-save')).toBeDisabled()
  await snap('policy-new-refused')

  await writeDocument(app, allow('iot:Connect'))
  await expect(check).toHaveAttribute('data-state', 'ok')
  await app.getByTestId('policy-document-save').click()
  await expect(toast(app)).toContainText('Policy lamp-policy created')
  await expect(app.getByTestId('policy-details')).toContainText('lamp-policy')
  expect((await iot.send(new GetPolicyCommand({ policyName: 'lamp-policy' }))).defaultVersionId).toBe('1')

  await app.getByTestId('policy-new-version').click()
  await writeDocument(app, allow('iot:Publish'))
  await expect(check).toHaveAttribute('data-state', 'ok')
  await expect(app.getByTestId('policy-version-set-default')).toHaveClass(/n-checkbox--checked/)
  await app.getByTestId('policy-document-save').click()
  await expect(toast(app).filter({ hasText: 'Version v2 of lamp-policy created and made the default' })).toBeVisible()
  await expect(app.locator('[data-testid="policy-versions"] tr[data-version="2"]')).toContainText('default')
  expect((await iot.send(new GetPolicyCommand({ policyName: 'lamp-policy' }))).defaultVersionId).toBe('2')
  // The Compare picker names its versions: no library placeholder anywhere.
  await expect(app.getByTestId('policy-diff')).toContainText('iot:Publish')
  await expect(app.locator('body')).not.toContainText('Please Select')
  await snap('policy-new-version')

  // Five versions: AWS's limit is explained and the oldest non-default one offered for deletion.
  for (const action of ['iot:Subscribe', 'iot:Receive', 'iot:GetThingShadow'])
    await callApi(app, 'policies.createVersion', { policyName: 'lamp-policy', document: allow(action) })
  await app.getByTestId('policies-reload').click()
  await app.locator('[data-testid="policies-list"] td', { hasText: 'lamp-policy' }).click()
  await expect(app.locator('[data-testid="policy-versions"] tr[data-version]')).toHaveCount(5)
  await app.getByTestId('policy-new-version').click()
  await writeDocument(app, allow('iot:UpdateThingShadow'))
  await expect(app.getByTestId('policy-version-limit')).toContainText('at most 5 versions')
  await expect(app.getByTestId('policy-version-delete-oldest')).toContainText('Delete v1 first')
  await expect(app.getByTestId('policy-document-save')).toBeDisabled()
  await snap('policy-version-limit')
  await app.getByTestId('policy-version-delete-oldest').click()
  await app.getByTestId('policy-document-save').click()
  await expect(toast(app).filter({ hasText: 'v1 deleted to make room' })).toBeVisible()
  const versions = await iot.send(new ListPolicyVersionsCommand({ policyName: 'lamp-policy' }))
  expect(versions.policyVersions?.map((v) => v.versionId).sort()).toEqual(['2', '3', '4', '5', '6'])
})

test("manages a group's members and policies, and deletes it once it has no child groups", async ({ app, served, iot, snap }) => {
  test.slow() // a long flow, many AWS calls: more than the default 90 s on a busy 2-core machine
  for (const thingName of ['press-1', 'press-2', 'drill-1']) await iot.send(new CreateThingCommand({ thingName }))
  await callApi(app, 'policies.create', { policyName: 'floor-policy', document: allow('iot:Connect') })
  await app.goto(`${served.url}#/groups`)
  await expect(app.getByTestId('groups-empty')).toContainText('No thing groups yet')

  await app.getByTestId('group-new-name').fill('floor-3')
  await app.getByTestId('group-create').click()
  await expect(toast(app)).toContainText('Group floor-3 created')
  await expect(app.getByTestId('group-details')).toContainText('floor-3')

  // The thing picker searches as the user types.
  await pick(app, 'group-add-thing-picker', 'press-2', 'press-2')
  await app.getByTestId('group-add-thing').click()
  await expect(toast(app).filter({ hasText: 'press-2 added to floor-3' })).toBeVisible()
  await pick(app, 'group-add-thing-picker', 'drill', 'drill-1')
  await app.getByTestId('group-add-thing').click()
  await expect(app.getByTestId('group-members')).toContainText('drill-1')
  await pick(app, 'group-attach-policy-picker', 'floor', 'floor-policy')
  await app.getByTestId('group-attach-policy').click()
  await expect(toast(app).filter({ hasText: 'floor-policy attached to floor-3' })).toBeVisible()
  await expect(app.getByTestId('group-policies')).toContainText('floor-policy')
  await snap('group-members-and-policies')
  const members = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'floor-3' }))
  expect(members.things?.sort()).toEqual(['drill-1', 'press-2'])

  await app.getByTestId('group-remove-thing-drill-1').click()
  await expect(toast(app).filter({ hasText: 'drill-1 removed from floor-3' })).toBeVisible()
  await expect(app.getByTestId('group-members')).not.toContainText('drill-1')
  await app.getByTestId('group-detach-policy-floor-policy').click()
  await expect(app.getByTestId('group-policies')).toContainText('No policy is attached')
  expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'floor-3' }))).things).toEqual(['press-2'])

  // A child group: AWS would refuse, and the dialog says so before anything is sent.
  await callApi(app, 'groups.create', { groupName: 'floor-3-east', parentGroupName: 'floor-3' })
  await app.getByTestId('groups-reload').click()
  await app.locator('.n-tree-node-content', { hasText: /^floor-3$/ }).click()
  await app.getByTestId('group-delete').click()
  await expect(app.getByTestId('group-delete-children')).toContainText('refuses to delete a group that has child groups')
  await expect(app.getByTestId('group-delete-children')).toContainText('floor-3-east')
  await expect(app.getByTestId('group-delete-confirm')).toBeDisabled()
  await snap('group-delete-refused')
  await app.getByTestId('group-delete-cancel').click()

  await app.locator('.n-tree-node-content', { hasText: 'floor-3-east' }).click()
  await expect(app.getByTestId('group-details')).toContainText('Parent: floor-3')
  await app.getByTestId('group-delete').click()
  await app.getByTestId('group-delete-confirm').click()
  await expect(toast(app).filter({ hasText: 'Group floor-3-east deleted' })).toBeVisible()
  await app.locator('.n-tree-node-content', { hasText: /^floor-3$/ }).click()
  await app.getByTestId('group-delete').click()
  await expect(app.getByTestId('group-delete-dialog')).toContainText('1 member thing(s) stay in the registry')
  await app.getByTestId('group-delete-confirm').click()
  await expect(toast(app).filter({ hasText: 'Group floor-3 deleted' })).toBeVisible()
  await expect(app.getByTestId('groups-empty')).toBeVisible()
})

test('deletes a thing type the way AWS allows: deprecated first, deleted 5 minutes later', async ({ app, served, iot, snap }) => {
  await callApi(app, 'thingTypes.create', { thingTypeName: 'old-kettle' })
  await app.goto(`${served.url}#/thing-types`)
  // Labels stay once a field is typed into.
  await app.getByTestId('thing-type-name').fill('new-kettle')
  await expect(app.locator('.n-form-item-label', { hasText: 'Thing type name' })).toBeVisible()

  await app.getByTestId('thing-type-delete-old-kettle').click()
  await expect(app.getByTestId('thing-type-delete-state')).toHaveAttribute('data-state', 'not-deprecated')
  await expect(app.getByTestId('thing-type-delete-dialog')).toContainText('deprecated for 5 minutes')
  await app.getByTestId('thing-type-delete-deprecate').click()
  await expect(toast(app).filter({ hasText: 'old-kettle deprecated' })).toBeVisible()
  await expect(app.getByTestId('thing-type-delete-state')).toHaveAttribute('data-state', 'too-soon')
  await expect(app.getByTestId('thing-type-delete-state')).toContainText(/in 4 min \d\d s/)
  await expect(app.getByTestId('thing-type-delete-confirm')).toBeDisabled()
  await snap('thing-type-delete-wait')
  const types = await iot.send(new ListThingTypesCommand({}))
  expect(types.thingTypes?.find((x) => x.thingTypeName === 'old-kettle')?.thingTypeMetadata?.deprecated).toBe(true)
})
