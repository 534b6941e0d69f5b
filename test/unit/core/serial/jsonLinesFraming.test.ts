import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BaudCheck } from '../../../../electron/core/serial/drivers/jsonLines/baudCheck'
import { LineFramer } from '../../../../electron/core/serial/drivers/jsonLines/lineFramer'

// The two byte-level judgements under the JSON-lines driver: where lines end, and when a stream of
// bytes is line noise from a wrong baud rate rather than text.

function framer(max = 16, partialMs = 10_000) {
  const events: string[] = []
  const lines = new LineFramer(
    {
      line: (bytes, n) => events.push(`${n}:${bytes.toString()}`),
      tooLong: (n) => events.push(`${n}:too long`),
      partial: (bytes, n) => events.push(`${n}:partial ${bytes.toString()}`)
    },
    max,
    partialMs
  )
  return { events, push: (text: string) => lines.push(Buffer.from(text)), stop: () => lines.stop() }
}

describe('LineFramer', () => {
  it('joins a line split across chunks, drops the CR of CR LF even in its own chunk, skips blank lines', () => {
    const { events, push, stop } = framer()
    push('{"a"')
    push(':1}\r')
    push('\n\r\n\nnext\n')
    stop()
    expect(events).toEqual(['1:{"a":1}', '2:next'])
  })

  it('a line over the limit is reported once when it passes the limit and dropped up to its LF, however it is chunked', () => {
    const { events, push, stop } = framer(8)
    push('0123456')
    push('789abc')
    push('defgh\nok\n')
    stop()
    expect(events).toEqual(['1:too long', '2:ok'])
  })

  it('a line of exactly the limit is kept', () => {
    const { events, push, stop } = framer(8)
    push('01234567\n')
    stop()
    expect(events).toEqual(['1:01234567'])
  })

  it('an unfinished line is reported as partial after the silence and does not glue onto the next', async () => {
    const { events, push, stop } = framer(64, 30)
    push('{"type":"rep')
    await new Promise((resolve) => setTimeout(resolve, 80))
    push('{"type":"hello"}\n')
    stop()
    expect(events).toEqual(['1:partial {"type":"rep', '2:{"type":"hello"}'])
  })
})

describe('BaudCheck', () => {
  it('random bytes (a UART at the wrong rate) are suspected once the window is full, and only once', () => {
    const check = new BaudCheck({ windowBytes: 256, unprintableShare: 0.2 })
    expect(check.count(randomBytes(200))).toBeUndefined()
    const suspicion = check.count(randomBytes(100))
    expect(suspicion?.bytes).toBe(300)
    expect(suspicion!.unprintable).toBeGreaterThan(60)
    expect(check.count(randomBytes(500))).toBeUndefined()
    expect(check.suspecting).toBe(true)
    check.validMessage()
    expect(check.suspecting).toBe(false)
  })

  it('text in any script, even with multibyte characters split across chunks, is never taken for line noise', () => {
    const check = new BaudCheck({ windowBytes: 256, unprintableShare: 0.2 })
    const text = Buffer.from('温度 21.5°C, Влажность 40 %, boot ok\tready\r\n'.repeat(20))
    for (let i = 0; i < text.length; i += 7) expect(check.count(text.subarray(i, i + 7))).toBeUndefined()
  })
})
