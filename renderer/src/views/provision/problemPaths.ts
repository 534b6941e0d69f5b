import type { WizardStep } from '../../stores/useProvisioningStore'

/** Where a plan problem's field path lives in the wizard, and how to name it for a person. */
export function describeProblemPath(path: string, groups: string[]): { field: string; step: WizardStep | null } {
  const [head, ...rest] = path.split('.')
  const tail = rest.join('.')
  switch (head) {
    case 'thingName':
      return { field: 'Thing name', step: 'device' }
    case 'thingTypeName':
      return { field: 'Thing type', step: 'device' }
    case 'attributes':
      return { field: tail ? `Attribute ${tail}` : 'Attributes', step: 'device' }
    case 'certificate':
      return { field: 'Certificate', step: 'identity' }
    case 'policy':
      return { field: tail === 'document' ? 'Policy document' : tail === 'policyName' ? 'Policy name' : 'Policy', step: 'policy' }
    case 'groups': {
      const index = Number(tail)
      return { field: tail && Number.isInteger(index) && groups[index] ? `Group ${groups[index]}` : 'Groups', step: 'groups' }
    }
    default:
      return { field: 'Plan', step: null }
  }
}
