// Onboarding of modules that bring their own identity (ExpressLink), on the provisioning engine's journal and undo.
export {
  defaultExpressLinkPolicyName,
  onboardExpressLink,
  OnboardingError,
  type ExpressLinkOnboardingContext,
  type ExpressLinkOnboardingRequest
} from './expressLinkOnboarding'
export { onboardingSteps, type ExpressLinkOnboardingResult, type OnboardingProgress, type OnboardingStep } from '../../contract/onboarding'
export { deviceWriteOwner, DeviceWriteError, writeIdentityToDevice, type DeviceIdentityContext, type DeviceIdentityRequest, type DeviceWriteErrorName } from './jsonLinesProvisioning'
