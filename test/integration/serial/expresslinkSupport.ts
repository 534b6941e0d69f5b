import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SerialPort } from 'serialport'
import { ExpressLinkDriver, type ExpressLinkDriverOptions } from '../../../electron/core/serial/drivers/expresslink'
import type { ModuleOptions } from '../../devices/expresslink/expressLinkModule'
import { expressLinkOnPort, type RunningModule } from '../../devices/expresslink/onPort'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { closeSerialPort, openSerialPort } from '../../support/serialPort'

// A simulated ExpressLink module on one end of a real pty pair and the driver on the other, both
// through real serialport, as a bench has it.

export interface ExpressLinkBench {
  driver: ExpressLinkDriver
  module: RunningModule
  pair: PtyPair
  host: SerialPort
  stateDir: string
}

export async function expressLinkBench(
  cleanups: (() => Promise<void> | void)[],
  options: Partial<ModuleOptions> = {},
  driverOptions: ExpressLinkDriverOptions = {}
): Promise<ExpressLinkBench> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'thingbench-expresslink-state-'))
  if (!options.stateDir) cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }))
  const pair = await openPtyPair('expresslink')
  cleanups.push(() => pair.close())
  const module = await expressLinkOnPort(pair.devicePath, { backoffMs: 0, ...options, stateDir })
  cleanups.push(() => module.close())
  const host = await openSerialPort(pair.hostPath)
  cleanups.push(() => closeSerialPort(host))
  const driver = new ExpressLinkDriver(host, { commandTimeoutMs: 3_000, ...driverOptions })
  return { driver, module, pair, host, stateDir }
}

