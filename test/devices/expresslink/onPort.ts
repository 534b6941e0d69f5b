import type { SerialPort } from 'serialport'
import { closeSerialPort, openSerialPort } from '../../support/serialPort'
import { ExpressLinkModule, type ModuleOptions } from './expressLinkModule'

export interface RunningModule {
  module: ExpressLinkModule
  port: SerialPort
  close(): Promise<void>
}

/** Opens the device end of a pty pair with real serialport (115200 8N1, as the spec fixes) and powers the module up on it. */
export async function expressLinkOnPort(path: string, options: ModuleOptions): Promise<RunningModule> {
  // A pulled cable shows up as a port error on this end too (absorbed): the module just stops hearing.
  const port = await openSerialPort(path)
  const module = await ExpressLinkModule.start(port, options)
  return {
    module,
    port,
    async close() {
      await module.stop()
      await closeSerialPort(port)
    }
  }
}
