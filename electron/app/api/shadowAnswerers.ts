import { BackendError } from './errors'

// Who answers a shadow's deltas: a simulated device (device.start, "act as the device") or a bench
// (bench.attach, a board on a serial port). One at a time per shadow — two would answer every delta
// twice and race each other's reported state — whichever of the two kinds it is.

/** What to tell someone who asks for a shadow that is already answered: the holder, in AWS's error style. */
export interface Answerer {
  errorName: string
  message: string
}

export interface ShadowRef {
  thingName: string
  shadowName?: string | undefined
}

export class ShadowAnswerers {
  private readonly claimed = new Map<string, Answerer>()

  /** Takes `shadow` for `answerer` at once (no await between check and take), or throws the holder's refusal. Returns the release. */
  claim(shadow: ShadowRef, answerer: Answerer): () => void {
    const key = `${shadow.thingName}\u0000${shadow.shadowName ?? ''}`
    const holder = this.claimed.get(key)
    if (holder) throw new BackendError(holder.errorName, holder.message)
    this.claimed.set(key, answerer)
    let released = false
    return () => {
      if (released) return
      released = true
      this.claimed.delete(key)
    }
  }
}
