import { describe, expect, it } from 'vitest'
import { RingBuffer } from '../../../../renderer/src/stores/support/ringBuffer'

describe('the message log ring buffer', () => {
  it('keeps the newest entries up to its capacity, oldest first, counting what it dropped', () => {
    const ring = new RingBuffer<number>(3)
    for (let i = 1; i <= 5; i++) ring.push(i)
    expect(ring.toArray()).toEqual([3, 4, 5])
    expect(ring.size).toBe(3)
    expect(ring.dropped).toBe(2)
    expect(ring.shift()).toBe(3)
    ring.push(6)
    expect(ring.toArray()).toEqual([4, 5, 6])
    ring.clear()
    expect(ring.toArray()).toEqual([])
    expect(() => new RingBuffer(0)).toThrow(/positive integer/)
  })
})
