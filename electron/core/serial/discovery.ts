import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { SerialPort } from 'serialport'

// What the OS says is plugged in. serialport's Linux list() spawns `udevadm info -e`; where udevadm
// is missing (minimal containers) that spawn's ENOENT is an unhandled error that kills the process,
// so it is only called when udevadm is on the PATH. Without it the ports come from /sys/class/tty
// and /dev/serial/by-id, with fewer details, and the list says discovery is degraded.

export interface DiscoveredPort {
  path: string
  manufacturer?: string
  serialNumber?: string
  /** Lower-case 4-hex, as every OS is normalised to (Windows reports upper case). */
  vendorId?: string
  productId?: string
}

export interface Discovery {
  ports: DiscoveredPort[]
  /** Why the list may miss ports or details; absent when discovery is complete. */
  degraded?: string
}

export type Lister = () => Promise<Discovery>

export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)))
}

export async function listSerialPorts(platform: NodeJS.Platform = process.platform): Promise<Discovery> {
  if (platform === 'linux' && !onPath('udevadm'))
    return { ports: listFromSysfs(), degraded: 'udevadm is not installed, so ports are found from /sys/class/tty without full USB details. Install udev (systemd-udev) for complete discovery.' }
  try {
    const ports = await SerialPort.list()
    return { ports: ports.map((port) => withoutEmpty({ path: port.path, manufacturer: port.manufacturer, serialNumber: port.serialNumber, vendorId: hex4(port.vendorId), productId: hex4(port.productId) })) }
  } catch (error) {
    return { ports: platform === 'linux' ? listFromSysfs() : [], degraded: `the OS port list failed (${(error as Error).message}); only ports found by other means are shown` }
  }
}

const usbTty = /^tty(USB|ACM)\d+$/

/** USB serial ports as the kernel shows them, with the USB details sysfs carries. */
export function listFromSysfs(sysRoot = '/sys/class/tty', byIdDir = '/dev/serial/by-id'): DiscoveredPort[] {
  let names: string[]
  try {
    names = readdirSync(sysRoot).filter((name) => usbTty.test(name)).sort()
  } catch {
    names = []
  }
  const byId = byIdLinks(byIdDir)
  return names.map((name) => {
    const path = `/dev/${name}`
    const usb = usbDeviceOf(join(sysRoot, name))
    return withoutEmpty({ path, manufacturer: usb.manufacturer, serialNumber: usb.serial ?? byId.get(path), vendorId: hex4(usb.idVendor), productId: hex4(usb.idProduct) })
  })
}

/** /dev/serial/by-id/usb-<maker>_<product>_<serial>-if00 → the serial part, by the device it points to. */
function byIdLinks(dir: string): Map<string, string> {
  const found = new Map<string, string>()
  try {
    for (const link of readdirSync(dir)) {
      const match = /^usb-.*_([^_]+)-if\d+/.exec(link)
      if (match) found.set(resolve(dir, readlinkSync(join(dir, link))), match[1] as string)
    }
  } catch {
    // No by-id folder: no serial numbers from it.
  }
  return found
}

/** Walks up from the tty's device folder to the USB device that has idVendor. */
function usbDeviceOf(ttyDir: string): Partial<Record<'manufacturer' | 'serial' | 'idVendor' | 'idProduct', string>> {
  let dir: string
  try {
    dir = realpathSync(join(ttyDir, 'device'))
  } catch {
    return {}
  }
  for (let depth = 0; depth < 4 && dir !== '/'; depth++, dir = resolve(dir, '..')) {
    if (!existsSync(join(dir, 'idVendor'))) continue
    const read = (file: string) => {
      try {
        return readFileSync(join(dir, file), 'utf8').trim() || undefined
      } catch {
        return undefined
      }
    }
    return { manufacturer: read('manufacturer'), serial: read('serial'), idVendor: read('idVendor'), idProduct: read('idProduct') }
  }
  return {}
}

function hex4(id: string | undefined): string | undefined {
  if (!id) return undefined
  const digits = id.replace(/^0x/i, '').toLowerCase()
  return /^[0-9a-f]{1,4}$/.test(digits) ? digits.padStart(4, '0') : undefined
}

function withoutEmpty(port: { [K in keyof DiscoveredPort]: DiscoveredPort[K] | undefined }): DiscoveredPort {
  return Object.fromEntries(Object.entries(port).filter(([, value]) => value !== undefined && value !== '')) as unknown as DiscoveredPort
}
