import type { IoTClient } from '@aws-sdk/client-iot'
import type { Connection, EventHub } from '../../contract'
import type { HeldPrivateKeys } from '../heldPrivateKeys'
import type { AppSession } from '../session'
import type { NativeDialogs } from './dialogs'

/** What every domain's handlers share: the session, the event hub and the connection the UI chose. */
export interface BackendContext {
  session: AppSession
  events: EventHub
  dialogs?: NativeDialogs
  /** Private keys from certificate files the UI had read, until a plan keeps one (never sent to the UI). */
  heldKeys: HeldPrivateKeys
  /** The connection the UI chose: the Local IoT Core until it chooses another. */
  connection(): Connection
  /** An IoT client for the chosen connection (the Local IoT Core starts on first use). */
  iot(): Promise<IoTClient>
}
