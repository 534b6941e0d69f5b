import { errorNameAndMessage, isNotFound } from './errors'

/** Runs an undo-like call for which "it is not there" means "already done". */
export async function tolerateNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/** Runs a read; undefined when AWS says the resource does not exist. */
export const readOrUndefined = tolerateNotFound

/**
 * Retries a call while AWS gives one specific, passing refusal: detaching is asynchronous on AWS, so
 * DeleteThing or DeletePolicy right after a detach may briefly still see the attachment.
 */
export async function retryWhile<T>(errorName: string, message: RegExp, call: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (err) {
      const described = errorNameAndMessage(err)
      if (attempt >= attempts || described.errorName !== errorName || !message.test(described.message)) throw err
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)))
    }
  }
}
