// The one typed API between the app's back end and its UI. Imports nothing but zod.
export * from './awsRules'
export * from './connection'
export * from './provisioning'
export * from './shadow'
export * from './mqtt'
export * from './history'
export * from './api'
export * from './bridge'
