// Serial failures with a name the UI shows and a message that says what to do. `errorName` is what
// the API layer keeps across the bridge (app/api/errors.ts readableError).

export type SerialErrorName = 'PortNotFound' | 'PermissionDenied' | 'PortHeld' | 'PortBusy' | 'PortNotOpen' | 'PortVanished' | 'InvalidPortSettings' | 'SerialOpenFailed'

export class SerialError extends Error {
  constructor(
    readonly errorName: SerialErrorName,
    message: string
  ) {
    super(message)
    this.name = errorName
  }
}

/** What serialport's open() threw, in words: missing path, permissions (with the group to join), a lock. */
export function describeOpenError(path: string, error: unknown): SerialError {
  const message = (error as Error).message ?? String(error)
  if (/ENOENT|No such file|cannot open.*not found/i.test(message))
    return new SerialError('PortNotFound', `${path} does not exist: check the cable and the path (list the ports again to see what is plugged in)`)
  if (/EACCES|Permission denied|Access denied/i.test(message))
    return new SerialError(
      'PermissionDenied',
      process.platform === 'win32'
        ? `${path}: access denied: another program holds the port; close it (terminal, IDE monitor) and open again`
        : `${path}: permission denied: add yourself to the port's group (ls -l ${path} shows it, e.g. \`sudo usermod -aG dialout $USER\`), then log out and back in`
    )
  if (/lock/i.test(message)) return new SerialError('PortBusy', `${path} is open in another program (or another ThingBench): close it there and open again`)
  return new SerialError('SerialOpenFailed', `${path} could not be opened: ${message}`)
}
