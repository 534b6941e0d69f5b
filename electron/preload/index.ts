import { contextBridge, ipcRenderer } from 'electron'
import type { Transport, WireAnswer } from '../contract/bridge'
import { isListedEvent, isListedMethod } from '../contract/names'
import { callChannel, eventChannel } from '../main/ipcChannels'

// The sandboxed preload exposes the contract's Transport as window.thingbench and nothing else:
// one function to call a contract method, one to listen to a contract event. The page never sees
// ipcRenderer or an IpcRendererEvent; main validates every call again (sender, then arguments).

const listeners = new Map<string, Set<(payload: unknown) => void>>()

// One IPC listener for all events, so subscriptions never pile up listeners on ipcRenderer.
ipcRenderer.on(eventChannel, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return
  for (const listener of [...(listeners.get(name) ?? [])]) {
    try {
      listener(payload)
    } catch {
      // A failing listener must not stop the others.
    }
  }
})

const thingbench: Transport = {
  call(method: string, args: unknown): Promise<WireAnswer> {
    if (!isListedMethod(method))
      return Promise.resolve({ ok: false, error: { errorName: 'UnknownMethod', message: `There is no method ${JSON.stringify(method)} in the ThingBench contract` } })
    return ipcRenderer.invoke(callChannel, method, args) as Promise<WireAnswer>
  },
  subscribe(event: string, listener: (payload: unknown) => void): () => void {
    if (!isListedEvent(event)) throw new TypeError(`There is no event ${JSON.stringify(event)} in the ThingBench contract`)
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function')
    let set = listeners.get(event)
    if (!set) listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }
}

contextBridge.exposeInMainWorld('thingbench', thingbench)
