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
