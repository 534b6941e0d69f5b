import { IoTServiceException } from '@aws-sdk/client-iot'

// Awaiting a call that AWS (here the Local IoT Core) must refuse; each fails the test if it succeeds.

/** The refusal's exception name, message and HTTP status. */
export async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined
  if (!error) throw new Error('expected the call to be refused, but it succeeded')
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }
}

/** The SDK's exception for the refusal; anything else (a network error) is rethrown. */
export async function refused(call: Promise<unknown>): Promise<IoTServiceException> {
  try {
    await call
  } catch (error) {
    if (error instanceof IoTServiceException) return error
    throw error
  }
  throw new Error('The call succeeded; a refusal was expected.')
}

/** The error `call` rejected with, as it was thrown (an ApiError, a driver's error…); with `kind`, it must be one. Fails the test when the call succeeds. */
export async function rejectionOf<E extends Error = Error & { errorName?: string }>(call: Promise<unknown>, kind?: abstract new (...args: never[]) => E): Promise<E> {
  const outcome = await call.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error })
  )
  if (!outcome.rejected) throw new Error(`expected the call to be refused, but it succeeded with ${JSON.stringify(outcome.value)}`)
  if (kind && !(outcome.error instanceof kind)) throw new Error(`expected a ${kind.name}, got ${String(outcome.error)}`)
  return outcome.error as E
}
