import { describe, expect, it } from 'vitest'
import { formatShadowTopic, parseShadowTopic } from '../../../../electron/sandbox/shadow'

// research/iot-core.md §2.1: the shadow topics, classic and named, and only those.

describe('shadow topics (iot-core.md §2.1)', () => {
  it('parses a classic request topic', () => {
    expect(parseShadowTopic('$aws/things/lamp-1/shadow/update')).toEqual({ thingName: 'lamp-1', operation: 'update' })
  })

  it('parses a named response topic', () => {
    expect(parseShadowTopic('$aws/things/lamp-1/shadow/name/config/update/documents')).toEqual({
      thingName: 'lamp-1',
      shadowName: 'config',
      operation: 'update',
      suffix: 'documents'
    })
  })

  it('round-trips every topic the service uses, classic and named', () => {
    const combos = [
      ['get', undefined],
      ['get', 'accepted'],
      ['get', 'rejected'],
      ['update', undefined],
      ['update', 'accepted'],
      ['update', 'rejected'],
      ['update', 'delta'],
      ['update', 'documents'],
      ['delete', undefined],
      ['delete', 'accepted'],
      ['delete', 'rejected']
    ] as const
    for (const key of [{ thingName: 'lamp-1' }, { thingName: 'lamp-1', shadowName: 'config' }])
      for (const [operation, suffix] of combos) {
        const topic = formatShadowTopic(key, operation, suffix)
        expect(parseShadowTopic(topic)).toEqual(suffix === undefined ? { ...key, operation } : { ...key, operation, suffix })
      }
    expect(formatShadowTopic({ thingName: 'lamp-1', shadowName: 'config' }, 'get', 'accepted')).toBe('$aws/things/lamp-1/shadow/name/config/get/accepted')
  })

  it('the longest named topic has exactly the broker limit of 7 slashes', () => {
    const topic = formatShadowTopic({ thingName: 't', shadowName: 's' }, 'update', 'accepted')
    expect(topic.split('/').length - 1).toBe(7)
  })

  it("accepts AWS's reserved `$`-named shadows such as $package (MODEL-DATA ShadowName)", () => {
    expect(parseShadowTopic('$aws/things/lamp-1/shadow/name/$package/get')).toEqual({ thingName: 'lamp-1', shadowName: '$package', operation: 'get' })
  })

  it.each([
    ['get has no delta topic', '$aws/things/lamp-1/shadow/get/delta'],
    ['delete has no documents topic', '$aws/things/lamp-1/shadow/delete/documents'],
    ['unknown suffix', '$aws/things/lamp-1/shadow/update/foo'],
    ['unknown operation', '$aws/things/lamp-1/shadow/list'],
    ['no operation', '$aws/things/lamp-1/shadow'],
    ['named shadow without operation', '$aws/things/lamp-1/shadow/name/config'],
    ['extra level', '$aws/things/lamp-1/shadow/update/accepted/more'],
    ['topics are case-sensitive ($AWS)', '$AWS/things/lamp-1/shadow/get'],
    ['topics are case-sensitive (Shadow)', '$aws/things/lamp-1/Shadow/get'],
    ['topics are case-sensitive (GET)', '$aws/things/lamp-1/shadow/GET'],
    ['empty thing name', '$aws/things//shadow/get'],
    ['empty shadow name', '$aws/things/lamp-1/shadow/name//get'],
    ['wildcard is a filter, not a thing name', '$aws/things/+/shadow/update'],
    ['thing name outside [a-zA-Z0-9:_-]', '$aws/things/lamp 1/shadow/get'],
    ['thing name longer than 128', `$aws/things/${'a'.repeat(129)}/shadow/get`],
    ['shadow name longer than 64', `$aws/things/lamp-1/shadow/name/${'s'.repeat(65)}/get`],
    ['not a shadow topic', '$aws/things/lamp-1/jobs/get'],
    ['ordinary topic', 'lamp-1/shadow/get']
  ])('is not a shadow topic: %s', (_why, topic) => {
    expect(parseShadowTopic(topic)).toBeNull()
  })

  it('refuses to format a topic the service never uses', () => {
    expect(() => formatShadowTopic({ thingName: 'lamp-1' }, 'get', 'delta')).toThrow('A shadow get has no /delta topic.')
  })
})
