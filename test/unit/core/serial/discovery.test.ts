import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeOpenError, listFromSysfs, listSerialPorts, LogRing } from '../../../../electron/core/serial'

// The fallback discovery reads a sysfs-shaped tree (made here as the kernel lays it out for a
// CP2102 on USB), and the real listSerialPorts runs on this machine, which may lack udevadm.

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'thingbench-sysfs-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

function usbTty(name: string, usb: Record<string, string>): void {
  const device = join(root, 'devices', 'usb1', '1-1', '1-1:1.0', name)
  mkdirSync(device, { recursive: true })
  for (const [file, value] of Object.entries(usb)) writeFileSync(join(root, 'devices', 'usb1', '1-1', file), `${value}\n`)
  mkdirSync(join(root, 'class', 'tty', name), { recursive: true })
  symlinkSync(device, join(root, 'class', 'tty', name, 'device'))
}

describe('discovery without udevadm', () => {
  it('finds USB serial ports with vendor, product, maker and serial number from sysfs', () => {
    usbTty('ttyUSB0', { idVendor: '10C4', idProduct: 'ea60', manufacturer: 'Silicon Labs', serial: '0001A2B3' })
    mkdirSync(join(root, 'class', 'tty', 'ttyS0'), { recursive: true })
    mkdirSync(join(root, 'class', 'tty', 'ttyACM1'), { recursive: true })
    expect(listFromSysfs(join(root, 'class', 'tty'), join(root, 'by-id'))).toEqual([
      { path: '/dev/ttyACM1' },
      { path: '/dev/ttyUSB0', manufacturer: 'Silicon Labs', serialNumber: '0001A2B3', vendorId: '10c4', productId: 'ea60' }
    ])
  })

  it('lists on this machine without crashing, saying so when udevadm is missing', async () => {
    const withoutUdevadm = process.env.PATH
    process.env.PATH = root
    try {
      const listed = await listSerialPorts('linux')
      expect(listed.degraded).toMatch(/udevadm is not installed.*Install udev/)
      expect(Array.isArray(listed.ports)).toBe(true)
    } finally {
      process.env.PATH = withoutUdevadm
    }
  })
})

describe('open errors say what to do', () => {
  it('permission denied names the group to join, not sudo', () => {
    const error = describeOpenError('/dev/ttyUSB0', new Error('Error: Permission denied, cannot open /dev/ttyUSB0'))
    expect(error.errorName).toBe('PermissionDenied')
    if (process.platform !== 'win32') expect(error.message).toMatch(/usermod -aG dialout/)
  })
  it('a lock held elsewhere says close it there', () => {
    expect(describeOpenError('/dev/ttyACM0', new Error('Error Resource temporarily unavailable Cannot lock port')).errorName).toBe('PortBusy')
  })
})

describe('the log ring', () => {
  it('keeps the newest bytes up to its capacity, with their times', () => {
    const ring = new LogRing(10)
    ring.push(Buffer.from('hello '), 1)
    ring.push(Buffer.from('world'), 2)
    ring.push(Buffer.from('!!'), 3)
    expect(ring.bytes().toString()).toBe('world!!')
    expect(ring.entries().map((c) => c.at)).toEqual([2, 3])
    ring.push(Buffer.from('0123456789abc'), 4)
    expect(ring.bytes().toString()).toBe('3456789abc')
    expect(ring.byteLength).toBe(10)
  })
})
