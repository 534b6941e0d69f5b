import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { createDispatcher, type EventHub, type Handlers, type UnexpectedErrorHandler, type WireAnswer } from '../contract'
import { callChannel, eventChannel } from './ipcChannels'
import { isTrustedSender } from './securityPolicy'

/**
 * Binds the contract to IPC for one window: calls are answered only when they come from the main
 * frame of that window showing the app's own page; every back-end event is sent to it.
 * Returns the function that unbinds both.
 */
export function bindContractToWindow(
  window: BrowserWindow,
  appUrl: string,
  handlers: Handlers,
  events: EventHub,
  log: (line: string) => void,
  /** Logs an unexpected failure and words the UI's answer (loggedUnexpectedErrors). */
  onUnexpected?: UnexpectedErrorHandler
): () => void {
  const dispatcher = createDispatcher(handlers, onUnexpected)

  ipcMain.handle(callChannel, async (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<WireAnswer> => {
    const frame = event.senderFrame
    const facts = {
      frameUrl: frame?.url,
      isMainFrame: frame !== null && frame !== undefined && frame === event.sender.mainFrame,
      sameWebContents: !window.isDestroyed() && event.sender === window.webContents
    }
    if (!isTrustedSender(facts, appUrl)) {
      log(`Refused an IPC call to ${String(method)} from ${facts.frameUrl ?? 'a destroyed frame'}`)
      return { ok: false, error: { errorName: 'UntrustedSender', message: 'ThingBench answers only its own window' } }
    }
    return dispatcher.dispatch(method, args)
  })

  const disconnect = events.connect((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(eventChannel, event, payload)
  })

  return () => {
    ipcMain.removeHandler(callChannel)
    disconnect()
  }
}
