// Long-running commands (shadow watch, device, mqtt subscribe) run until Ctrl-C or SIGTERM and then
// close their session cleanly, so the exit code is 0 and no MQTT connection is left half open.

export interface StopSignal {
  /** Resolves with the first SIGINT or SIGTERM. */
  stopped: Promise<NodeJS.Signals>
  /** Removes the listeners (the signals' default action returns). */
  dispose(): void
}

export function stopSignal(signals: NodeJS.EventEmitter = process): StopSignal {
  let onSignal: (signal: NodeJS.Signals) => void = () => {}
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve))
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => [name, () => onSignal(name)] as const)
  for (const [name, listener] of listeners) signals.on(name, listener)
  return {
    stopped,
    dispose: () => {
      for (const [name, listener] of listeners) signals.off(name, listener)
    }
  }
}
