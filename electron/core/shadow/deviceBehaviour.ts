import type { JsonObject } from './document'

// What a device does with a delta: the seam between the simulated device's shadow handling and the
// device itself. The built-in behaviour applies every delta as asked; the serial bench plugs a real
// board in here (send the delta to the board, report what it answers).

export interface DeviceBehaviour {
  /**
   * The device received `delta` (desired values that differ from what it reports) while reporting
   * `reported`. Returns the patch to report (merged into reported; `null` deletes a key), or
   * undefined to report nothing.
   */
  onDelta(delta: JsonObject, reported: JsonObject): JsonObject | undefined | Promise<JsonObject | undefined>
}

/** A device that does whatever it is asked: it reports the delta back as its new state. */
export const applyEveryDelta: DeviceBehaviour = {
  onDelta: (delta) => delta
}
