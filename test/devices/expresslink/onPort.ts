import { SerialPort } from 'serialport'
import { ExpressLinkModule, type ModuleOptions } from './expressLinkModule'

export interface RunningModule {
  module: ExpressLinkModule
  port: SerialPort
  close(): Promise<void>
}

/** Opens the device end of a pty pair with real serialport (115200 8N1, as the spec fixes) and powers the module up on it. */
export async function expressLinkOnPort(path: string, options: ModuleOptions): Promise<RunningModule> {
  const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())))
  // A pulled cable shows up as a port error on this end too; the module just stops hearing.
  port.on('error', () => undefined)
  const module = await ExpressLinkModule.start(port, options)
  return {
    module,
    port,
    async close() {
      await module.stop()
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()))
    }
  }
}
