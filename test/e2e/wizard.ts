import type { Locator, Page } from '@playwright/test'
import { expect } from './fixtures'

// Steps of the provisioning wizard as a technician takes them (data-testid selectors).

/** naive-ui puts a test id on the input's wrapper; this finds the <input>/<textarea> either way. */
export function field(page: Page, testId: string) {
  return page.locator(`input[data-testid="${testId}"], textarea[data-testid="${testId}"], [data-testid="${testId}"] input, [data-testid="${testId}"] textarea`).first()
}

export async function startWizard(page: Page): Promise<void> {
  await page.getByTestId('nav-provision').click()
  await expect(page.getByTestId('wizard-step-device')).toBeVisible()
}

export async function fillDevice(page: Page, thingName: string, attributes: Record<string, string> = {}): Promise<void> {
  await field(page, 'wizard-thing-name').fill(thingName)
  let index = 0
  for (const [name, value] of Object.entries(attributes)) {
    await page.getByTestId('wizard-add-attribute').click()
    await field(page, `wizard-attribute-name-${index}`).fill(name)
    await field(page, `wizard-attribute-value-${index}`).fill(value)
    index++
  }
}

export async function next(page: Page, expectedStep: string): Promise<void> {
  await page.getByTestId('wizard-next').click()
  await expect(page.getByTestId(`wizard-step-${expectedStep}`)).toBeVisible()
}

/** Clicks Run and waits for the outcome: 'provisioned' once Done is shown (a run that provisions goes straight there), else the run's failed/refused. */
export async function runAndWait(page: Page): Promise<string> {
  await page.getByTestId('wizard-run').click()
  const done = page.getByTestId('wizard-step-done')
  const failed = page.locator('[data-testid="run-outcome"][data-outcome="failed"], [data-testid="run-outcome"][data-outcome="refused"]')
  await expect(done.or(failed)).toBeVisible({ timeout: 60_000 })
  return (await done.isVisible()) ? 'provisioned' : ((await failed.getAttribute('data-outcome')) ?? '')
}

/** Done's "Write to a device over USB serial": opens it and picks the board's port; returns the section. */
export async function chooseBoardPort(page: Page, portPath: string): Promise<Locator> {
  const section = page.getByTestId('done-device-write')
  await section.locator('summary').click()
  await section.getByTestId('device-write-port').click()
  await page.locator('.n-base-select-option', { hasText: portPath }).click()
  return section
}
