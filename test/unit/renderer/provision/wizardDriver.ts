import { expect } from 'vitest'
import type { MountedApp } from '../shell/mountApp'

// What a technician does with the wizard, in the DOM: type, click, wait for what appears.

export function wizardDriver(app: MountedApp) {
  const el = (testId: string) => app.byTestId(testId)
  const has = (testId: string) => document.querySelector(`[data-testid="${testId}"]`) !== null

  async function type(testId: string, value: string): Promise<void> {
    const input = el(testId) as HTMLInputElement
    input.value = value
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await app.settle()
    // The wizard looks a thing name up (does it exist?) a moment after typing.
    if (testId === 'wizard-thing-name')
      await app.waitFor(() => el('wizard-step-device').dataset.thingLookup !== 'checking', `the lookup of thing ${value}`)
  }

  async function click(testId: string): Promise<void> {
    el(testId).click()
    await app.settle()
  }

  /** A naive-ui radio: its label carries the test id, the input inside takes the click. */
  async function choose(testId: string): Promise<void> {
    const input = el(testId).querySelector('input')
    if (!input) throw new Error(`${testId} has no input`)
    input.click()
    await app.settle()
  }

  const isDisabled = (testId: string) => (el(testId) as HTMLButtonElement).disabled

  async function next(expectedStep: string): Promise<void> {
    expect(isDisabled('wizard-next'), `Next is enabled before ${expectedStep}`).toBe(false)
    await click('wizard-next')
    await app.waitFor(() => has(expectedStep), expectedStep)
  }

  /** Clicks a tree node by its label text (a group's name). */
  async function clickTreeNode(treeTestId: string, label: string): Promise<void> {
    const node = await app.waitFor(
      () => [...el(treeTestId).querySelectorAll<HTMLElement>('.n-tree-node-content__text')].find((n) => n.textContent?.trim() === label),
      `the tree node ${label}`
    )
    node.click()
    await app.settle()
  }

  return { el, has, type, click, choose, isDisabled, next, clickTreeNode }
}
