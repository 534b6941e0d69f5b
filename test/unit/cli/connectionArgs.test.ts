import { describe, expect, it } from 'vitest'
import { connectionFromFlags } from '../../../electron/cli/connectionArgs'

describe('connection flags', () => {
  it('uses the embedded Local IoT Core when no connection is named', () => {
    expect(connectionFromFlags({}, {})).toEqual({ kind: 'local' })
  })

  it('takes --endpoint with the region from --region or AWS_REGION', () => {
    expect(connectionFromFlags({ endpoint: 'http://127.0.0.1:4566/', region: 'eu-west-1' }, {})).toEqual({
      kind: 'endpoint',
      url: 'http://127.0.0.1:4566',
      region: 'eu-west-1'
    })
    expect(connectionFromFlags({ endpoint: 'https://iot.us-east-2.amazonaws.com' }, { AWS_REGION: 'us-east-2' })).toMatchObject({ region: 'us-east-2' })
  })

  it('refuses an endpoint that is not a URL, or one without a region, saying what to give', () => {
    expect(() => connectionFromFlags({ endpoint: 'localhost 4566', region: 'x' }, {})).toThrow(/--endpoint must be a URL/)
    expect(() => connectionFromFlags({ endpoint: 'http://127.0.0.1:4566' }, {})).toThrow(/pass --region or set AWS_REGION/)
  })

  it('refuses --endpoint together with --profile', () => {
    expect(() => connectionFromFlags({ endpoint: 'http://x', profile: 'p' }, {})).toThrow(/either --endpoint or --profile/)
  })

  it('takes --profile with an optional region', () => {
    expect(connectionFromFlags({ profile: 'field', region: 'ap-south-1' }, {})).toEqual({ kind: 'profile', profile: 'field', region: 'ap-south-1' })
    expect(connectionFromFlags({ profile: 'field' }, {})).toEqual({ kind: 'profile', profile: 'field' })
  })
})
