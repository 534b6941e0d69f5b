import { SerialPort } from 'serialport'

// One end of a pty pair opened with real serialport, as a board or a host program would open it.

/**
 * Opens `path` at `baudRate`. Its 'error' events are absorbed: a test that unplugs a pty under the
 * port gets one, and asserts what the user sees instead.
 */
export async function openSerialPort(path: string, baudRate = 115_200): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())))
  port.on('error', () => undefined)
  return port
}

/** Closes the port if it is still open (a vanished pty may have closed it already). */
export function closeSerialPort(port: SerialPort): Promise<void> {
  return new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()))
}
