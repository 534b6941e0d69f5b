import { describe, expect, it } from 'vitest'
import { csvField, csvRecord } from '../../../../electron/core/history/csv'
import { forEachLeaf, leafPathName, valueAt } from '../../../../electron/core/history/leafPaths'
import { structuralDiff } from '../../../../electron/core/history/structuralDiff'

describe('CSV fields (RFC 4180)', () => {
  it('quotes a field with a comma, a quote, CR or LF, doubling the quotes inside; leaves others alone', () => {
    expect(csvField('plain text')).toBe('plain text')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\rhere')).toBe('"cr\rhere"')
    expect(csvField('')).toBe('')
    expect(csvRecord(['1', 'x,y', ''])).toBe('1,"x,y",\r\n')
  })
})

describe('leaf paths', () => {
  it('lists every leaf, an array being one leaf, and finds a value by path', () => {
    const leaves: Array<[string, unknown]> = []
    const state = { desired: { on: true, color: { r: 1, g: 2 }, steps: [1, 2], empty: {} }, reported: { on: false } }
    forEachLeaf(state, [], (path, value) => leaves.push([leafPathName(path), value]))
    expect(leaves).toEqual([
      ['desired.on', true],
      ['desired.color.r', 1],
      ['desired.color.g', 2],
      ['desired.steps', [1, 2]],
      ['reported.on', false]
    ])
    expect(valueAt(state, ['desired', 'color', 'g'])).toBe(2)
    expect(valueAt(state, ['desired', 'on', 'deeper'])).toBeUndefined()
    expect(valueAt(state, ['reported', 'missing'])).toBeUndefined()
  })

  it('never gives two different paths the same column name', () => {
    expect(leafPathName(['desired', 'a', 'b'])).toBe('desired.a.b')
    expect(leafPathName(['desired', 'a.b'])).toBe('desired["a.b"]')
    expect(leafPathName(['desired', 'say "x"'])).toBe('desired["say \\"x\\""]')
    expect(leafPathName(['desired', ''])).toBe('desired[""]')
  })
})

describe('structural diff', () => {
  it('names what was added, removed and changed, by path; arrays compare whole', () => {
    const before = { desired: { on: false, level: 1, tags: ['a'], color: { r: 1 } }, reported: { on: false } }
    const after = { desired: { on: true, level: 1, tags: ['a', 'b'], color: { r: 1, g: 2 } }, reported: {} }
    expect(structuralDiff(before, after)).toEqual([
      { kind: 'changed', path: ['desired', 'on'], before: false, after: true },
      { kind: 'changed', path: ['desired', 'tags'], before: ['a'], after: ['a', 'b'] },
      { kind: 'added', path: ['desired', 'color', 'g'], after: 2 },
      { kind: 'removed', path: ['reported', 'on'], before: false }
    ])
    expect(structuralDiff(after, after)).toEqual([])
  })
})
