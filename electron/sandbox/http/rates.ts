// AWS IoT's default control-plane rates (transactions per second, per account and region), from
// research/iot-core.md §5.1: the Service Quotas column where it has a value, else the 2019 limits
// page, else 10/s. Exported so the CLI can print what the sandbox enforces when throttling is on.

export const DEFAULT_RATE_PER_SECOND = 10

export const controlPlaneRates: Readonly<Record<string, number>> = {
  // Registry (Service Quotas values)
  CreateThing: 100,
  DescribeThing: 350,
  UpdateThing: 100,
  DeleteThing: 100,
  ListThings: 10,
  AttachThingPrincipal: 100,
  DetachThingPrincipal: 100,
  ListThingPrincipals: 10,
  ListPrincipalThings: 10,
  AddThingToThingGroup: 100,
  RemoveThingFromThingGroup: 100,
  ListThingGroupsForThing: 100,
  CreateThingGroup: 25,
  DescribeThingGroup: 100,
  UpdateThingGroup: 15,
  DeleteThingGroup: 15,
  CreateDynamicThingGroup: 5,
  UpdateDynamicThingGroup: 5,
  DeleteDynamicThingGroup: 5,
  CreateThingType: 15,
  DescribeThingType: 100,
  DeprecateThingType: 15,
  DeleteThingType: 15,
  ListThingsInThingGroup: 25,
  // Policies, certificates and the rest (2019 limits page)
  AttachPolicy: 15,
  DetachPolicy: 15,
  CreatePolicy: 10,
  CreatePolicyVersion: 10,
  DeletePolicy: 10,
  DeletePolicyVersion: 10,
  GetPolicy: 10,
  GetPolicyVersion: 15,
  SetDefaultPolicyVersion: 10,
  CreateCertificateFromCsr: 15,
  CreateKeysAndCertificate: 10,
  RegisterCertificate: 10,
  RegisterCertificateWithoutCA: 10,
  RegisterCACertificate: 10,
  UpdateCertificate: 10,
  DeleteCertificate: 10,
  DescribeCertificate: 10,
  ListCertificates: 10,
  RegisterThing: 10,
  GetEffectivePolicies: 50,
  TestAuthorization: 10
}

export function rateFor(operation: string): number {
  return controlPlaneRates[operation] ?? DEFAULT_RATE_PER_SECOND
}
