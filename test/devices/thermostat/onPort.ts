import { SerialPort } from 'serialport'
import { ThermostatDevice, type ThermostatDeviceOptions } from './thermostatDevice'

export interface RunningThermostat {
  device: ThermostatDevice
  port: SerialPort
  close(): Promise<void>
}

/** Opens the device end of a serial port (a pty pair's) with real serialport and boots the thermostat on it. */
export async function thermostatOnPort(path: string, options: ThermostatDeviceOptions & { baudRate?: number } = {}): Promise<RunningThermostat> {
  const port = new SerialPort({ path, baudRate: options.baudRate ?? 115_200, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())))
  const device = new ThermostatDevice(port, options)
  device.start()
  return {
    device,
    port,
    async close() {
      device.stop()
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()))
    }
  }
}
