// ExpressLink events as `AT+EVENT?` returns them (research §7.4): `{id} {param}[ {MNEMONIC}[ {detail}]]`.
// Drivers key on the number; the mnemonic is optional in the spec's own examples.

export interface ExpressLinkEvent {
  id: number
  param: number
  /** The mnemonic and any detail as the module sent them (may be empty). */
  text: string
  /** What the event means, in words. */
  meaning: string
}

export const eventIds = {
  timeout: 0,
  message: 1,
  startup: 2,
  connectionLost: 3,
  overrun: 4,
  ota: 5,
  connect: 6,
  confMode: 7,
  subscribeAccepted: 8,
  subscribeRejected: 9,
  shadowInit: 20,
  shadowInitFailed: 21,
  shadowDocument: 22,
  shadowUpdate: 23,
  shadowDelta: 24,
  shadowDelete: 25,
  shadowSubscribeAccepted: 26,
  shadowSubscribeRejected: 27
} as const

const meanings: Record<number, (param: number) => string> = {
  0: () => 'waiting for an event timed out',
  1: (p) => (p === 0 ? 'a message arrived on a topic not in the topic table' : `a message arrived on Topic${p}`),
  2: () => 'the module started (power-on, reset or wake)',
  3: () => 'the connection to AWS IoT was lost or closed',
  4: () => 'a message was lost: the module\'s receive queue was full',
  5: () => 'the OTA state changed',
  6: (p) => (p === 0 ? 'the background connect succeeded' : `the background connect failed at step ${p}`),
  7: () => 'configuration mode finished',
  8: (p) => `the subscription to Topic${p} was accepted`,
  9: (p) => `the subscription to Topic${p} was refused`,
  20: (p) => `${shadowName(p)} is ready`,
  21: (p) => `${shadowName(p)} could not be initialised`,
  22: (p) => `${shadowName(p)}'s document arrived`,
  23: (p) => `the result of ${shadowName(p)}'s update arrived`,
  24: (p) => `a delta arrived for ${shadowName(p)}`,
  25: (p) => `the result of deleting ${shadowName(p)} arrived`,
  26: (p) => `the delta subscription of ${shadowName(p)} was accepted`,
  27: (p) => `the delta subscription of ${shadowName(p)} was refused`
}

function shadowName(index: number): string {
  return index === 0 ? 'the classic shadow' : `shadow ${index}`
}

/** The event in an `AT+EVENT?` answer's detail, or undefined when the queue was empty. */
export function parseEvent(detail: string): ExpressLinkEvent | undefined {
  const match = /^\s*(\d+)\s+(\d+)\s*(.*)$/.exec(detail)
  if (!match) return undefined
  const id = Number(match[1])
  const param = Number(match[2])
  const meaning = meanings[id]?.(param) ?? (id >= 1000 ? `vendor event ${id}` : `event ${id}`)
  return { id, param, text: match[3], meaning }
}
