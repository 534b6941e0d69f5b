import { describe, expect, it } from 'vitest'
import { PlotSeries, plotValues } from '../../../../renderer/src/stores/support/serialPlot'

// The plotter's line parsing: Arduino-plotter pairs and JSON numbers, and a log of long lines (a
// chatty firmware's). How fast it parses is measured by `npm run bench:serial`, not timed here.
describe('plot values', () => {
  it('reads name:value and name=value pairs wherever a name starts, and JSON numbers', () => {
    expect(plotValues('temp:21.5 humidity:40')).toEqual([['temp', 21.5], ['humidity', 40]])
    expect(plotValues('temp:21.5,humidity=40;v2:-3e2')).toEqual([['temp', 21.5], ['humidity', 40], ['v2', -300]])
    expect(plotValues('00000012 temp:21.3 xxxxxxxx')).toEqual([['temp', 21.3]])
    expect(plotValues('9temp:1 x9:2 a.b-c:3')).toEqual([['temp', 1], ['x9', 2], ['a.b-c', 3]])
    expect(plotValues('temp:21.5humidity:40 ratio:1:2')).toEqual([['humidity', 40]])
    expect(plotValues('{"state":{"celsius":22},"ok":true}')).toEqual([['state.celsius', 22]])
    expect(plotValues('boot ok')).toEqual([])
  })

  it('finds the value beside a long word on every line of a chatty log', () => {
    const series = new PlotSeries()
    const line = `temp:20.5 ${'x'.repeat(5000)} rpm=1200\n`
    series.feed(Date.now(), new TextEncoder().encode(line.repeat(2000)))
    expect(series.columns.get('temp')).toHaveLength(2000)
    expect(series.columns.get('rpm')).toHaveLength(2000)
    expect(series.columns.get('temp')!.every((value) => value === 20.5)).toBe(true)
  })
})
