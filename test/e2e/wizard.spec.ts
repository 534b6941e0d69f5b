import { DeleteThingGroupCommand, DescribeCertificateCommand, DescribeThingCommand, ListCertificatesCommand, ListThingGroupsForThingCommand, ListThingPrincipalsCommand, ListThingsCommand } from '@aws-sdk/client-iot'
import { makeDeviceCertificate } from '../integration/provisioning/support/deviceCertificate'
import { expect, test } from './fixtures'
import { field, fillDevice, next, runAndWait, startWizard } from './wizard'

test.describe('provisioning wizard', () => {
  test('local key + CSR: every step, then the thing in the registry, then deprovision', async ({ app, iot, snap }) => {
    await startWizard(app)
    await fillDevice(app, 'bench-lamp-1', { serial: 'SN-0001' })
    await snap('1-device')
    await next(app, 'identity')
    await app.getByTestId('identity-mode-csr').click()
    await snap('2-identity')
    await next(app, 'policy')
    await app.getByTestId('policy-mode-template').click()
    await snap('3-policy')
    await next(app, 'groups')
    await field(app, 'group-new-name').fill('line-1')
    await app.getByTestId('group-create').click()
    // A group made here is chosen at once.
    await expect(app.getByTestId('groups-tree').locator('.n-tree-node', { hasText: 'line-1' }).getByRole('checkbox')).toHaveAttribute('aria-checked', 'true')
    await snap('4-groups')
    await next(app, 'review')
    const calls = app.getByTestId('review-call')
    await expect(calls.first()).toBeVisible()
    const listed = (await calls.allInnerTexts()).join('\n')
    for (const operation of ['CreateCertificateFromCsr', 'CreateThing', 'AttachPolicy', 'AttachThingPrincipal', 'AddThingToThingGroup'])
      expect(listed).toContain(operation)
    await snap('5-review')

    expect(await runAndWait(app)).toBe('provisioned')
    for (const step of ['generateKey', 'createCertificate', 'storeKey', 'activateCertificate', 'createThing', 'attachPolicy', 'attachThingPrincipal', 'addToGroups'])
      await expect(app.getByTestId(`run-step-${step}`)).toHaveAttribute('data-status', 'done')
    // Provisioned goes straight to Done: no Finish click.
    await expect(app.getByTestId('wizard-next')).toHaveCount(0)
    await snap('6-run-done')
    await expect(app.getByTestId('done-thing-arn')).toContainText('thing/bench-lamp-1')
    await app.getByTestId('done-export').click()
    await expect(app.getByTestId('done-export-result')).toContainText('bench-lamp-1')
    await snap('7-done')

    // What AWS now holds.
    const principals = (await iot.send(new ListThingPrincipalsCommand({ thingName: 'bench-lamp-1' }))).principals ?? []
    expect(principals).toHaveLength(1)
    const groups = (await iot.send(new ListThingGroupsForThingCommand({ thingName: 'bench-lamp-1' }))).thingGroups ?? []
    expect(groups.map((g) => g.groupName)).toEqual(['line-1'])

    // The registry shows it; deprovision from there.
    await app.getByTestId('nav-things').click()
    await field(app, 'things-search').fill('bench-lamp')
    await expect(app.getByTestId('things-count')).toContainText('1')
    await app.getByTestId('things-table').getByText('bench-lamp-1', { exact: true }).click()
    await expect(app.getByTestId('thing-details')).toBeVisible()
    await expect(field(app, 'thing-attribute-value-0')).toHaveValue('SN-0001')
    await app.getByTestId('thing-deprovision').click()
    await expect(app.getByTestId('deprovision-calls')).toContainText('DeleteThing')
    await snap('8-deprovision')
    await app.getByTestId('deprovision-confirm').click()
    await expect(async () => {
      await expect(iot.send(new DescribeThingCommand({ thingName: 'bench-lamp-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    }).toPass({ timeout: 20_000 })
    expect((await iot.send(new ListCertificatesCommand({}))).certificates ?? []).toEqual([])
  })

  test('AWS-generated keys: provisioned, and "next device" keeps the choices', async ({ app, iot }) => {
    await startWizard(app)
    await fillDevice(app, 'bench-sensor-1')
    await next(app, 'identity')
    await app.getByTestId('identity-mode-aws').click()
    await next(app, 'policy')
    await next(app, 'groups')
    await next(app, 'review')
    await expect(app.getByTestId('review-call').first()).toBeVisible()
    await expect(app.getByTestId('review-calls')).toContainText('CreateKeysAndCertificate')
    expect(await runAndWait(app)).toBe('provisioned')
    const principals = (await iot.send(new ListThingPrincipalsCommand({ thingName: 'bench-sensor-1' }))).principals ?? []
    expect(principals).toHaveLength(1)

    await app.getByTestId('done-next').click()
    await expect(app.getByTestId('wizard-step-device')).toBeVisible()
    // The next name of the batch is suggested, focused and selected.
    await expect(field(app, 'wizard-thing-name')).toHaveValue('bench-sensor-2')
    await expect(field(app, 'wizard-thing-name')).toBeFocused()
    await fillDevice(app, 'bench-sensor-2')
    await next(app, 'identity')
    await expect(app.getByTestId('identity-mode-aws').locator('input')).toBeChecked()
  })

  test('an existing device certificate: registered, its key stays on the device', async ({ app, iot }) => {
    const certificatePem = await makeDeviceCertificate({ commonName: 'factory-42' })
    await startWizard(app)
    await fillDevice(app, 'bench-factory-42')
    await next(app, 'identity')
    await app.getByTestId('identity-mode-existing').click()
    await app.locator('input[type=file][data-testid="identity-certificate-file"], [data-testid="identity-certificate-file"] input[type=file]').first()
      .setInputFiles({ name: 'device.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(certificatePem) })
    await expect(app.getByTestId('identity-certificate-info')).toContainText('factory-42')
    await next(app, 'policy')
    await next(app, 'groups')
    await next(app, 'review')
    await expect(app.getByTestId('review-calls')).toContainText('RegisterCertificateWithoutCA')
    expect(await runAndWait(app)).toBe('provisioned')
    const [principal] = (await iot.send(new ListThingPrincipalsCommand({ thingName: 'bench-factory-42' }))).principals ?? []
    const certificateId = principal!.split('/').pop()!
    const described = await iot.send(new DescribeCertificateCommand({ certificateId }))
    expect(described.certificateDescription?.status).toBe('ACTIVE')
    expect(described.certificateDescription?.certificatePem?.trim()).toBe(certificatePem.trim())
  })

  test('an invalid thing name is refused as it is typed, before any AWS call', async ({ app, iot }) => {
    await startWizard(app)
    await field(app, 'wizard-thing-name').fill('bad name!')
    await expect(app.getByTestId('wizard-thing-name-error')).toContainText(/letters, digits/)
    await expect(app.getByTestId('wizard-next')).toBeDisabled()
    await field(app, 'wizard-thing-name').fill('x'.repeat(129))
    await expect(app.getByTestId('wizard-thing-name-error')).toContainText(/128/)
    await expect(app.getByTestId('wizard-next')).toBeDisabled()
    expect((await iot.send(new ListThingsCommand({}))).things ?? []).toEqual([])
  })

  test('a policy AWS would refuse is caught as it is written, with AWS’s words, before any call', async ({ app, iot, snap }) => {
    await startWizard(app)
    await fillDevice(app, 'bench-maybe-1')
    await next(app, 'identity')
    await next(app, 'policy')
    await app.getByTestId('policy-mode-document').click()
    await field(app, 'policy-name').fill('bench-maybe-policy')
    // Valid JSON with a Statement; "Maybe" is no Effect: the Local IoT Core's own grammar says so as it is typed.
    const editor = app.getByTestId('policy-editor').locator('.cm-content')
    await editor.click()
    await app.keyboard.press('Control+A')
    await app.keyboard.press('Delete')
    await editor.fill('{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"iot:Connect","Resource":"*"}]}')
    await expect(app.getByTestId('policy-problem')).toContainText('Effect must be "Allow" or "Deny"')
    await expect(app.getByTestId('wizard-next')).toBeDisabled()
    await snap('policy-refused-as-typed')
    expect((await iot.send(new ListThingsCommand({}))).things ?? []).toEqual([])
    expect((await iot.send(new ListCertificatesCommand({}))).certificates ?? []).toEqual([])
  })

  test('a step AWS refuses is undone step by step, with AWS’s error in plain words', async ({ app, iot, snap }) => {
    await startWizard(app)
    await fillDevice(app, 'bench-broken-1')
    await next(app, 'identity')
    await next(app, 'policy')
    await next(app, 'groups')
    await field(app, 'group-new-name').fill('line-9')
    await app.getByTestId('group-create').click()
    await expect(app.getByTestId('groups-tree').locator('.n-tree-node', { hasText: 'line-9' }).getByRole('checkbox')).toHaveAttribute('aria-checked', 'true')
    await next(app, 'review')
    // Someone deletes the group after Review checked it: AWS refuses AddThingToThingGroup mid-run.
    await iot.send(new DeleteThingGroupCommand({ thingGroupName: 'line-9' }))
    expect(await runAndWait(app)).toBe('failed')
    await expect(app.getByTestId('run-error')).toContainText('ResourceNotFoundException')
    await expect(app.getByTestId('undo-action').first()).toBeVisible()
    await snap('failed-run-undone')
    await expect(iot.send(new DescribeThingCommand({ thingName: 'bench-broken-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    expect((await iot.send(new ListCertificatesCommand({}))).certificates ?? []).toEqual([])
  })
})
