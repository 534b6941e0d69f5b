import { readFile } from 'node:fs/promises'
import type { SerialPort } from 'serialport'
import { closeSerialPort, openSerialPort } from '../support/serialPort'
import { expect, test } from './fixtures'

// The serial monitor in browser mode against `thingbench serve`, over a real socat pty pair: the
// test holds the device end with real serialport, writes Arduino-plotter style lines and reads
// back what the UI sends.

/** The device end of the pty pair: what it receives, and a way to write lines. */
interface DeviceEnd {
  port: SerialPort
  received: () => string
  close: () => Promise<void>
}

async function openDeviceEnd(path: string): Promise<DeviceEnd> {
  const port = await openSerialPort(path)
  let received = ''
  port.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')))
  return { port, received: () => received, close: () => closeSerialPort(port) }
}

function write(port: SerialPort, text: string): Promise<void> {
  return new Promise((resolve, reject) => port.write(text, (error) => (error ? reject(error) : port.drain(() => resolve()))))
}

// 8 + 8 bytes: the hex view's first 16-byte row is exactly "boot ok\ntemp:21.".
const bootText = 'boot ok\ntemp:21.5 humidity:40\ntemp:22.0 humidity:41\n'


test('a pty added by path opens, shows its lines, sends with Enter and history, shows hex, saves and plots', async ({ app, snap, boards }) => {
  const { pair, board: device } = await boards.plugIn('board', openDeviceEnd)

  await app.getByTestId('nav-serial').click()
  await app.getByTestId('serial-add-path').locator('input').fill(pair.hostPath)
  await app.getByTestId('serial-add-path-button').click()
  const row = app.getByTestId('serial-ports').locator('tr', { has: app.getByTestId('serial-port-path').getByText(pair.hostPath, { exact: true }) })
  await expect(row).toBeVisible()
  await expect(app.getByTestId('serial-error')).toHaveCount(0)
  await snap('serial-path-added')

  await row.getByTestId('serial-open').click()
  const monitor = app.getByTestId('serial-monitor')
  await expect(monitor).toBeVisible()
  await expect(row.getByTestId('serial-open')).toHaveText('Show')

  // Lines the board sends appear in the text view, and every byte is counted.
  await write(device.port, bootText)
  const text = monitor.getByTestId('serial-text')
  await expect(text).toContainText('boot ok')
  await expect(text).toContainText('temp:22.0 humidity:41')
  await expect(monitor.getByTestId('serial-bytes-received')).toHaveText(String(Buffer.byteLength(bootText)))
  await snap('serial-lines-received')

  // Enter sends the command with the port's line ending (LF); the box empties; ↑ brings it back.
  const input = monitor.getByTestId('serial-send-input').locator('input')
  await input.fill('status')
  await input.press('Enter')
  await expect.poll(() => device.received()).toBe('status\n')
  await expect(input).toHaveValue('')
  await expect(monitor.getByTestId('serial-counts')).toContainText('7 sent')
  await input.press('ArrowUp')
  await expect(input).toHaveValue('status')
  await snap('serial-command-recalled')
  // The recalled command sends again as it is.
  await input.press('Enter')
  await expect.poll(() => device.received()).toBe('status\nstatus\n')

  // The hex view: offset, bytes in two groups of eight, and the printable characters.
  await monitor.getByTestId('serial-view-hex').click()
  const firstRow = monitor.getByTestId('serial-hex-row').first()
  await expect(firstRow).toContainText('00000000')
  await expect(firstRow).toContainText('62 6f 6f 74 20 6f 6b 0a  74 65 6d 70 3a 32 31 2e')
  await expect(firstRow).toContainText('boot ok.temp:21.')
  await expect(monitor.getByTestId('serial-hex-row')).toHaveCount(Math.ceil(Buffer.byteLength(bootText) / 16))
  await snap('serial-hex')

  // Save downloads the received text (with each line's arrival time, as shown).
  const downloading = app.waitForEvent('download')
  await monitor.getByTestId('serial-save').click()
  const download = await downloading
  expect(download.suggestedFilename()).toMatch(/^serial-.*board_host-.*\.log$/)
  const saved = await readFile((await download.path())!, 'utf8')
  for (const line of bootText.trimEnd().split('\n')) expect(saved).toContain(line)
  expect(saved.split('\n').filter(Boolean)).toHaveLength(3)

  // The plot view draws one series per name from `name:value` lines, and keeps up with new ones.
  await monitor.getByTestId('serial-view-plot').click()
  const summary = monitor.getByTestId('serial-plot-summary')
  await expect(summary).toHaveText('humidity, temp — 2 points')
  await expect(monitor.getByTestId('serial-plot').locator('.uplot canvas')).toBeVisible()
  await expect(monitor.getByTestId('serial-plot').locator('.u-legend')).toContainText('temp')
  await write(device.port, 'temp:22.5 humidity:42 pressure:1013\n')
  await expect(summary).toHaveText('humidity, pressure, temp — 3 points')
  await snap('serial-plot')
})
