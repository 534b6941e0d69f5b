import { ResourceNotFoundException } from '@aws-sdk/client-iot'
import { describe, expect, it } from 'vitest'
import { BackendError } from '../../../electron/app/api/errors'
import { createDispatcher, type Handlers } from '../../../electron/contract'

// What the UI gets when a handler throws: AWS's (or ThingBench's) name and message as they are;
// JavaScript's own errors are unexpected and answered in words, never with their raw text.

function dispatcherThrowing(error: unknown, onUnexpected?: Parameters<typeof createDispatcher>[1]) {
  const handlers = { 'things.list': async () => Promise.reject(error) } as unknown as Handlers
  return createDispatcher(handlers, onUnexpected)
}

describe('the dispatcher’s answer to a failed handler', () => {
  it('keeps an AWS SDK exception’s name and message', async () => {
    const error = new ResourceNotFoundException({ message: 'Thing lamp-1 does not exist', $metadata: {} })
    expect(await dispatcherThrowing(error).dispatch('things.list', {})).toEqual({
      ok: false,
      error: { errorName: 'ResourceNotFoundException', message: 'Thing lamp-1 does not exist' }
    })
  })

  it('keeps a BackendError’s name and message', async () => {
    const answer = await dispatcherThrowing(new BackendError('InvalidArguments', 'things.list: attributeValue: needs a name')).dispatch('things.list', {})
    expect(answer).toEqual({ ok: false, error: { errorName: 'InvalidArguments', message: 'things.list: attributeValue: needs a name' } })
  })

  it('answers a TypeError readably, and hands it to the injected handler', async () => {
    const seen: Array<[string, unknown]> = []
    const bug = new TypeError("Cannot read properties of undefined (reading 'map')")
    const plain = await dispatcherThrowing(bug).dispatch('things.list', {})
    expect(plain).toEqual({ ok: false, error: { errorName: 'InternalError', message: 'Something went wrong in things.list (TypeError).' } })

    const injected = await dispatcherThrowing(bug, (method, error) => {
      seen.push([method, error])
      return { errorName: 'InternalError', message: 'logged' }
    }).dispatch('things.list', {})
    expect(injected).toEqual({ ok: false, error: { errorName: 'InternalError', message: 'logged' } })
    expect(seen).toEqual([['things.list', bug]])
  })

  it('keeps the message of a plain Error (ThingBench throws those readably) and of a thrown string says what it was', async () => {
    expect(await dispatcherThrowing(new Error('profile dev has no region')).dispatch('things.list', {})).toEqual({
      ok: false,
      error: { errorName: 'InternalError', message: 'profile dev has no region' }
    })
    expect(await dispatcherThrowing('boom').dispatch('things.list', {})).toEqual({
      ok: false,
      error: { errorName: 'InternalError', message: 'Something went wrong in things.list (a thrown string).' }
    })
  })
})
