import type { SerialPort } from 'serialport'
import { closeSerialPort, openSerialPort } from '../../support/serialPort'
import { ThermostatDevice, type ThermostatDeviceOptions } from './thermostatDevice'

export interface RunningThermostat {
  device: ThermostatDevice
  port: SerialPort
  close(): Promise<void>
}

/** Opens the device end of a serial port (a pty pair's) with real serialport and boots the thermostat on it. */
export async function thermostatOnPort(path: string, options: ThermostatDeviceOptions & { baudRate?: number } = {}): Promise<RunningThermostat> {
  const port = await openSerialPort(path, options.baudRate ?? 115_200)
  const device = new ThermostatDevice(port, options)
  device.start()
  return {
    device,
    port,
    async close() {
      device.stop()
      await closeSerialPort(port)
    }
  }
}
