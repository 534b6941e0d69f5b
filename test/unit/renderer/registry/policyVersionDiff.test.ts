// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiPlugin } from '../../../../renderer/src/api/useApi'
import PolicyVersionDiff from '../../../../renderer/src/views/registry/policies/PolicyVersionDiff.vue'
import { startTestApi, type TestApi } from '../../../support/apiBackend'

// The Compare picker of a policy with one version: the empty side says why, not a library default.
let t: TestApi
beforeAll(async () => {
  t = await startTestApi()
})
afterAll(async () => {
  await t?.close()
})

describe('PolicyVersionDiff', () => {
  it('labels the empty picker of a one-version policy in words, not "Please Select"', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const policy = { policyName: 'solo', policyArn: 'arn:aws:iot:eu-west-1:123456789012:policy/solo', defaultVersionId: '1', versions: [{ versionId: '1', isDefaultVersion: true }], targets: [] }
    const wrapper = mount(PolicyVersionDiff, { props: { policy }, global: { plugins: [apiPlugin(t.api), pinia] } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(wrapper.text()).not.toContain('Please Select')
    expect(wrapper.find('[data-testid="policy-diff-to"]').text()).toContain('No other version')
    wrapper.unmount()
  })
})
