export { createIotClient, type IotTarget } from './client'
export { listAwsProfiles, profileRegion, type AwsProfile } from './profiles'
export { describeDataEndpoint } from './endpoint'
export { describeAwsError, type AwsErrorDescription } from './errors'
