import type { Locator } from '@playwright/test'
import type { SerialPort } from 'serialport'
import { closeSerialPort, openSerialPort } from '../support/serialPort'
import { expect, test } from './fixtures'

// The plotter draws a long log thinned to its pixel columns: a single spike among 20,000 points
// still shows, a drag-zoom draws the chosen range from the kept points and stays while new lines
// come in, and a double-click goes back to the whole log. Read from the plot's own pixels.

function write(port: SerialPort, text: string): Promise<void> {
  return new Promise((resolve, reject) => port.write(text, (error) => (error ? reject(error) : port.drain(() => resolve()))))
}

/** Where the first series (#2080f0) is drawn in the plot area: its topmost row and the share of its pixels in the bottom tenth. */
function seriesPixels(plot: Locator): Promise<{ top: number; bottomShare: number }> {
  return plot.evaluate((element) => {
    const canvas = element.querySelector('.uplot canvas')!
    const area = element.querySelector('.u-over')!.getBoundingClientRect()
    const box = canvas.getBoundingClientRect()
    const ratio = canvas.width / box.width
    const width = Math.floor(area.width * ratio)
    const height = Math.floor(area.height * ratio)
    const { data } = canvas.getContext('2d')!.getImageData(Math.round((area.left - box.left) * ratio), Math.round((area.top - box.top) * ratio), width, height)
    let top = 1
    let all = 0
    let bottom = 0
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - 0x20) > 40 || Math.abs(data[i + 1]! - 0x80) > 40 || Math.abs(data[i + 2]! - 0xf0) > 40) continue
      const row = Math.floor(i / 4 / width) / height
      top = Math.min(top, row)
      all++
      if (row > 0.9) bottom++
    }
    return { top, bottomShare: all ? bottom / all : 0 }
  })
}

/** What the first series looks like on the plot, in words (the failure says what it looked like instead). */
async function shape(plot: Locator): Promise<string> {
  const { top, bottomShare } = await seriesPixels(plot)
  if (top >= 0.25) return `nothing near the top (highest drawn row at ${top.toFixed(2)} of the height)`
  if (bottomShare > 0.8) return 'a spike over a flat line'
  if (bottomShare < 0.5) return 'a sawtooth filling the height'
  return `unclear (${bottomShare.toFixed(2)} of it in the bottom tenth)`
}

test('a long log plots with its one spike; zoom draws the range from the kept points, stays while lines (and a new name) come, and resets', async ({ app, boards }) => {
  const { pair, board } = await boards.plugIn('plotter', async (path) => {
    const port = await openSerialPort(path)
    return { port, close: () => closeSerialPort(port) }
  })
  await app.getByTestId('nav-serial').click()
  await app.getByTestId('serial-add-path').locator('input').fill(pair.hostPath)
  await app.getByTestId('serial-add-path-button').click()
  await app.getByTestId('serial-open').first().click()
  const monitor = app.getByTestId('serial-monitor')
  await monitor.getByTestId('serial-view-plot').click()

  // Ten bursts of 2,000 lines (a sawtooth 0..9) a little apart in time; one line in the sixth is 500.
  let sent = 0
  for (let burst = 0; burst < 10; burst++) {
    const lines = Array.from({ length: 2000 }, (_, i) => `level:${burst === 5 && i === 1000 ? 500 : i % 10}\n`)
    await write(board.port, lines.join(''))
    sent += lines.length
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const summary = monitor.getByTestId('serial-plot-summary')
  await expect(summary).toHaveText(`level — ${sent} points`)
  const plot = monitor.getByTestId('serial-plot')

  // The whole log: the spike reaches the top, the sawtooth is squashed at the bottom under it.
  await expect.poll(() => shape(plot)).toBe('a spike over a flat line')

  // Drag over the first third (before the spike): the y range follows what is in it, the sawtooth fills the height.
  const area = await plot.locator('.u-over').boundingBox()
  const y = area!.y + area!.height / 2
  await app.mouse.move(area!.x + area!.width * 0.02, y)
  await app.mouse.down()
  await app.mouse.move(area!.x + area!.width * 0.33, y, { steps: 5 })
  await app.mouse.up()
  await app.mouse.move(0, 0)
  await expect.poll(() => shape(plot)).toBe('a sawtooth filling the height')

  // New lines (another burst with a spike of 900, later than the zoomed range) do not undo the zoom.
  await write(board.port, Array.from({ length: 2000 }, (_, i) => `level:${i === 1000 ? 900 : i % 10}\n`).join(''))
  await expect(summary).toHaveText(`level — ${sent + 2000} points`)
  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(await shape(plot)).toBe('a sawtooth filling the height')

  // A name the port had not sent yet rebuilds the plot with its series; the zoom stays.
  await write(board.port, 'voltage:3.3\n')
  await expect(summary).toHaveText(`level, voltage — ${sent + 2001} points`)
  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(await shape(plot)).toBe('a sawtooth filling the height')

  // A double-click goes back to the whole log, spikes and all (the x range now reaches the later
  // voltage point, so the level line is thinner there: the spike reaches the top, most of it lies low).
  await plot.locator('.u-over').dblclick()
  await expect
    .poll(async () => {
      const { top, bottomShare } = await seriesPixels(plot)
      return top < 0.25 && bottomShare > 0.6
    })
    .toBe(true)
})
