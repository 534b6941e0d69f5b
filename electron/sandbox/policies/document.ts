import { malformedPolicy } from '../http/iotError'
import { MalformedPolicyError, parsePolicyGrammar, type ParsedPolicy } from '../../shared/policyGrammar'

export type { ParsedPolicy, PolicyStatement } from '../../shared/policyGrammar'

/** Parses and checks a policy document; throws MalformedPolicyException naming the first problem. */
export function parsePolicyDocument(document: string): ParsedPolicy {
  try {
    return parsePolicyGrammar(document)
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw malformedPolicy(error.message)
    throw error
  }
}
