import { DescribeThingCommand, DescribeThingGroupCommand, DescribeThingTypeCommand, ListThingGroupsForThingCommand } from '@aws-sdk/client-iot'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { field, next, startWizard } from './wizard'

// The wizard made for 50 devices a day, in Chromium against `thingbench serve`: how many clicks a
// device takes once the first is done, the keyboard path, and the New group / New thing type forms.

/** Clicks, counted: what a technician's mouse does per device. */
function clickCounter(page: Page) {
  let clicks = 0
  return {
    click: async (testId: string) => {
      clicks++
      await page.getByTestId(testId).click()
    },
    take: () => {
      const n = clicks
      clicks = 0
      return n
    }
  }
}

test.describe('provisioning a batch', () => {
  test('after the first device, each next one is two clicks: "Export and provision next", then Run', async ({ app, iot, snap }, testInfo) => {
    const mouse = clickCounter(app)
    // The app opens on the wizard (not through the navigation, whose link would take the focus).
    await expect(app.getByTestId('wizard-step-device')).toBeVisible()
    // The first device of the batch: its name, then the defaults (CSR key, shadow policy, no group).
    await expect(field(app, 'wizard-thing-name')).toBeFocused()
    await field(app, 'wizard-thing-name').fill('lamp-0042')
    await snap('batch-1-device')
    for (const step of ['identity', 'policy', 'groups', 'review']) await next(app, step)
    await expect(app.getByTestId('review-call').first()).toBeVisible()
    await mouse.click('wizard-run')
    await expect(app.getByTestId('wizard-step-done')).toBeVisible({ timeout: 60_000 })
    await expect(app.getByTestId('done-thing-arn')).toContainText('thing/lamp-0042')
    // Where the device connects, to copy: host:port of the Local IoT Core's broker.
    await expect(app.getByTestId('done-mqtt-endpoint')).toHaveText(/^(127\.0\.0\.1|localhost):\d+$/)
    await snap('batch-2-done')
    mouse.take()

    const perDevice: number[] = []
    for (const thingName of ['lamp-0043', 'lamp-0044']) {
      await mouse.click('done-export-next')
      await expect(app.getByTestId('wizard-step-review')).toBeVisible()
      await expect(app.getByTestId('wizard-step-review')).toContainText(thingName)
      await expect(app.getByTestId('wizard-run')).toBeEnabled()
      if (thingName === 'lamp-0043') await snap('batch-3-next-on-review')
      await mouse.click('wizard-run')
      await expect(app.getByTestId('done-thing-arn')).toContainText(`thing/${thingName}`, { timeout: 60_000 })
      perDevice.push(mouse.take())
    }
    expect(perDevice).toEqual([2, 2])

    // And with the keyboard alone: Enter exports and moves on (the button has the focus), Enter runs.
    await expect(app.getByTestId('done-export-next')).toBeFocused()
    await app.keyboard.press('Enter')
    await expect(app.getByTestId('wizard-step-review')).toContainText('lamp-0045')
    await expect(app.getByTestId('wizard-run')).toBeFocused()
    await app.keyboard.press('Enter')
    await expect(app.getByTestId('done-thing-arn')).toContainText('thing/lamp-0045', { timeout: 60_000 })
    await expect(app.getByTestId('done-export-result')).toHaveCount(0) // the last one not exported yet
    await testInfo.attach('clicks per device', { body: `first device: wizard Next x4 + Run; each next device: ${perDevice.join(', ')} clicks; keyboard: 2 Enter` })

    for (const thingName of ['lamp-0042', 'lamp-0043', 'lamp-0044', 'lamp-0045'])
      await expect(iot.send(new DescribeThingCommand({ thingName }))).resolves.toMatchObject({ thingName })
  })

  test('step headers jump back, by mouse or keyboard, and forward only through ready steps; Enter says why it does not go on', async ({ app, snap }) => {
    await expect(app.getByTestId('wizard-step-device')).toBeVisible()
    await app.keyboard.press('Enter') // no name yet
    await expect(app.getByTestId('wizard-next-problem')).toHaveText('Thing name is required')
    await expect(app.getByTestId('wizard-step-device')).toBeVisible()
    await snap('headers-1-enter-refused')

    await field(app, 'wizard-thing-name').fill('hdr-lamp-1')
    await app.keyboard.press('Enter')
    await expect(app.getByTestId('wizard-step-identity')).toBeVisible()
    // The keyboard reaches a step header too: Shift+Tab back out of the step, Enter on "Device".
    const deviceHeader = app.getByTestId('wizard-header-link-device')
    for (let presses = 0; presses < 30 && !(await deviceHeader.evaluate((el) => el.matches(':focus'))); presses++) await app.keyboard.press('Shift+Tab')
    await expect(deviceHeader).toBeFocused()
    await app.keyboard.press('Enter')
    await expect(app.getByTestId('wizard-step-device')).toBeVisible()
    await app.getByTestId('wizard-header-identity').click()
    await expect(app.getByTestId('wizard-step-identity')).toBeVisible()
    await app.getByTestId('wizard-header-review').click()
    await expect(app.getByTestId('review-call').first()).toBeVisible()
    await snap('headers-2-jumped-to-review')
    await app.getByTestId('wizard-header-device').click()
    await expect(app.getByTestId('wizard-step-device')).toBeVisible()
    await field(app, 'wizard-thing-name').fill('hdr lamp')
    await app.getByTestId('wizard-header-policy').click()
    await expect(app.getByTestId('wizard-step-device')).toBeVisible()
    await expect(app.getByTestId('wizard-next-problem')).toContainText('may contain only letters, digits')
    await snap('headers-3-not-past-invalid')
  })

  test('New group: a parent picked and Create clicked at once makes the group under that parent, chosen', async ({ app, iot, snap }) => {
    await startWizard(app)
    await field(app, 'wizard-thing-name').fill('grp-lamp-1')
    for (const step of ['identity', 'policy', 'groups']) await next(app, step)
    for (const name of ['site-a', 'site-b', 'site-c']) {
      await field(app, 'group-new-name').fill(name)
      await app.getByTestId('group-create').click()
      await expect(app.getByTestId('groups-tree')).toContainText(name)
    }
    // Unchoose the three, then the quick move: name, parent, and Create within the menu's fade-out.
    for (const name of ['site-a', 'site-b', 'site-c']) await app.getByTestId('groups-tree').getByText(name, { exact: true }).click()
    await field(app, 'group-new-name').fill('floor-1')
    await app.getByTestId('group-new-parent').click()
    await expect(app.locator('.wizard-select-menu').getByText('site-a', { exact: true })).toBeVisible()
    // In the page, so no round trip passes the menu's fade-out: pick site-a, then click where Create
    // group is, a frame later, as a quick hand does. The fading menu lies over the button: the click
    // must still reach it (before the fix it landed on the menu, lost, or picked another parent).
    // (A string: this project's Node types have no DOM.)
    const quick = await app.evaluate(`(async () => {
      const option = [...document.querySelectorAll('.wizard-select-menu .n-base-select-option')].find((o) => o.textContent.trim() === 'site-a')
      option.click()
      await new Promise(requestAnimationFrame)
      const menu = document.querySelector('.wizard-select-menu')?.getBoundingClientRect()
      const button = document.querySelector('[data-testid="group-create"]')
      const b = button.getBoundingClientRect()
      const covered = !!menu && menu.bottom > b.top && menu.top < b.bottom && menu.right > b.left && menu.left < b.right
      const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)
      hit?.click()
      return { covered, reachesButton: !!hit && button.contains(hit) }
    })()`)
    expect(quick).toEqual({ covered: true, reachesButton: true })
    await expect(app.getByTestId('groups-tree')).toContainText('floor-1')
    const described = await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'floor-1' }))
    expect(described.thingGroupMetadata?.parentGroupName).toBe('site-a')
    await expect(app.getByTestId('groups-tree').locator('.n-tree-node', { hasText: 'floor-1' }).getByRole('checkbox')).toHaveAttribute('aria-checked', 'true')
    await snap('groups-created-and-chosen')
    await next(app, 'review')
    await app.getByTestId('wizard-run').click()
    await expect(app.getByTestId('wizard-step-done')).toBeVisible({ timeout: 60_000 })
    const groups = (await iot.send(new ListThingGroupsForThingCommand({ thingName: 'grp-lamp-1' }))).thingGroups ?? []
    expect(groups.map((g) => g.groupName)).toEqual(['floor-1'])
  })

  test('a thing type made from the type picker, with a toast, chosen for the thing', async ({ app, iot, snap }) => {
    await startWizard(app)
    await app.getByTestId('thing-type-new').click()
    await field(app, 'thing-type-new-name').fill('bench-lamp')
    await field(app, 'thing-type-new-description').fill('Lamps on the bench')
    await field(app, 'thing-type-new-searchable').fill('serial, batch')
    await snap('thing-type-form')
    await app.getByTestId('thing-type-create').click()
    await expect(app.getByText('Thing type bench-lamp created')).toBeVisible()
    await expect(app.getByTestId('wizard-thing-type')).toContainText('bench-lamp')
    const described = await iot.send(new DescribeThingTypeCommand({ thingTypeName: 'bench-lamp' }))
    expect(described.thingTypeProperties?.searchableAttributes).toEqual(['serial', 'batch'])
  })
})
