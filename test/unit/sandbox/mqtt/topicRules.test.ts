import { describe, expect, it } from 'vitest'
import {
  awsFilterMatches,
  clampKeepAlive,
  isPublishableReservedTopic,
  isSubscribableReservedFilter,
  publishTopicProblem,
  topicSizeProblem
} from '../../../../electron/sandbox/mqtt/topicRules'

describe("AWS IoT's MQTT topic rules", () => {
  it('matches filters the AWS way: `a/#` matches `a/` and `a/b` but not `a`; leading wildcards never match `$` topics', () => {
    expect(awsFilterMatches('sensor/#', 'sensor')).toBe(false)
    expect(awsFilterMatches('sensor/#', 'sensor/')).toBe(true)
    expect(awsFilterMatches('sensor/#', 'sensor/t/1')).toBe(true)
    expect(awsFilterMatches('sensor/+', 'sensor/t')).toBe(true)
    expect(awsFilterMatches('sensor/+', 'sensor/t/1')).toBe(false)
    expect(awsFilterMatches('#', '$aws/things/a/shadow/get')).toBe(false)
    expect(awsFilterMatches('+/things/#', '$aws/things/a')).toBe(false)
    expect(awsFilterMatches('$aws/things/+/shadow/#', '$aws/things/a/shadow/get/accepted')).toBe(true)
  })

  it('clamps keep-alive to 30–1200 s, 0 meaning 1200', () => {
    expect([0, 1, 29, 30, 600, 1200, 1201, 65535].map(clampKeepAlive)).toEqual([1200, 30, 30, 30, 600, 1200, 1200, 1200])
  })

  it('limits topics to 256 bytes and 7 slashes, not counting the Basic Ingest prefix', () => {
    expect(topicSizeProblem('$aws/things/t/shadow/name/s/update/accepted')).toBeUndefined()
    expect(topicSizeProblem('a/b/c/d/e/f/g/h/i')).toMatch(/8 slashes; AWS IoT allows 7/)
    expect(topicSizeProblem('$aws/rules/r/a/b/c/d/e/f/g/h')).toBeUndefined()
    expect(topicSizeProblem('é'.repeat(129))).toMatch(/258 bytes long; AWS IoT allows 256/)
  })

  it('lets clients publish only to the request topics of the `$aws` services, and subscribe only under AWS trees', () => {
    expect(isPublishableReservedTopic('$aws/things/t/shadow/update')).toBe(true)
    expect(isPublishableReservedTopic('$aws/things/t/shadow/name/s/get')).toBe(true)
    expect(isPublishableReservedTopic('$aws/things/t/shadow/update/accepted')).toBe(false)
    expect(isPublishableReservedTopic('$aws/events/presence/connected/t')).toBe(false)
    expect(isPublishableReservedTopic('$SYS/broker')).toBe(false)
    expect(isSubscribableReservedFilter('$aws/events/presence/connected/+')).toBe(true)
    expect(isSubscribableReservedFilter('$SYS/#')).toBe(false)
  })

  it('words a refused publish topic once for MQTT and HTTP: wildcard, size, reserved (and retained $) each say what to do', () => {
    expect(publishTopicProblem('lamp/+/state', false)).toEqual({ message: expect.stringContaining('publish to a topic name, not a topic filter'), reserved: false })
    expect(publishTopicProblem('a/b/c/d/e/f/g/h/i', false)).toEqual({ message: expect.stringContaining('AWS IoT allows 7'), reserved: false })
    expect(publishTopicProblem('$aws/things/lamp/shadow/update/accepted', false)).toEqual({ message: expect.stringContaining("only AWS's request topics"), reserved: true })
    expect(publishTopicProblem('$aws/things/lamp/shadow/update', true)).toEqual({ message: expect.stringContaining('cannot be retained'), reserved: true })
    expect(publishTopicProblem('$aws/things/lamp/shadow/update', false)).toBeUndefined()
    expect(publishTopicProblem('lamp/state', true)).toBeUndefined()
  })
})
