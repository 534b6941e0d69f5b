import { useMessage } from 'naive-ui'
import { describeError } from '../../../components/describeError'

/** How long a failure stays on screen: long enough to read AWS's message. */
const errorToastMs = 10_000

/**
 * The one way the registry says how a create, delete or update went: a success toast naming what
 * was done, or an error toast with AWS's error name and message (the view also keeps the error
 * where the action was, for reading at leisure).
 */
export function useRegistryFeedback() {
  const message = useMessage()
  return {
    /** Shows the outcome of a store action that returned whether it worked (and, when not, the error it kept). */
    report(done: boolean, success: string, failure: string, error: unknown): boolean {
      if (done) message.success(success)
      else message.error(`${failure}: ${describeError(error)}`, { duration: errorToastMs, closable: true })
      return done
    },
    success: (text: string) => message.success(text),
    info: (text: string) => message.info(text)
  }
}
