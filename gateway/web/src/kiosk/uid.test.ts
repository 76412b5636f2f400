import { describe, expect, it } from 'vitest'

import { normaliseUid, UidError, type UidSettings } from './uid'

const HEX: UidSettings = { format: 'hex', byteOrder: 'as_read' }
const HEX_REV: UidSettings = { format: 'hex', byteOrder: 'reversed' }
const DEC: UidSettings = { format: 'decimal', byteOrder: 'as_read' }
const DEC_REV: UidSettings = { format: 'decimal', byteOrder: 'reversed' }

function reason(raw: string, settings: UidSettings): string {
  try {
    normaliseUid(raw, settings)
  } catch (error) {
    expect(error).toBeInstanceOf(UidError)
    return (error as UidError).reason
  }
  throw new Error(`${raw} was accepted`)
}

describe('normaliseUid', () => {
  it.each([
    ['04a1b2c3', HEX, '04A1B2C3'],
    ['0x04A1B2C3', HEX, '04A1B2C3'],
    ['04:A1:B2:C3', HEX, '04A1B2C3'],
    ['04 a1 b2 c3', HEX, '04A1B2C3'],
    ['04-A1-B2-C3-D4-E5-F6', HEX, '04A1B2C3D4E5F6'],
    ['  04A1B2C3\r\n', HEX, '04A1B2C3'],
    ['04A1B2C3', HEX_REV, 'C3B2A104'],
    ['C3:B2:A1:04', HEX_REV, '04A1B2C3'],
    ['01020304050607080910', HEX, '01020304050607080910'],
  ])('hex %j -> %s', (raw, settings, expected) => {
    expect(normaliseUid(raw, settings)).toBe(expected)
  })

  it.each([
    // 305419896 = 0x12345678
    ['305419896', DEC, '12345678'],
    ['305419896', DEC_REV, '78563412'],
    ['0305419896', DEC_REV, '78563412'],
    // 4278190080 = 0xFF000000: the largest 4-byte values keep 4 bytes
    ['4294967295', DEC, 'FFFFFFFF'],
    ['4278190080', DEC_REV, '000000FF'],
    // small numbers are padded to 4 bytes before any reversal
    ['1', DEC, '00000001'],
    ['1', DEC_REV, '01000000'],
    // 2^32 needs 5 bytes
    ['4294967296', DEC, '0100000000'],
    // 7-byte UID 04:A1:B2:C3:D4:E5:F6 = 1303689068602870
    ['1303689068602870', DEC, '04A1B2C3D4E5F6'],
  ])('decimal %j -> %s', (raw, settings, expected) => {
    expect(normaliseUid(raw, settings)).toBe(expected)
  })

  it('the same card gives the same UID on differently configured readers', () => {
    const card = '78563412'
    expect(normaliseUid('78563412', HEX)).toBe(card)
    expect(normaliseUid('12:34:56:78', HEX_REV)).toBe(card)
    expect(normaliseUid('305419896', DEC_REV)).toBe(card)
    expect(normaliseUid(String(0x78563412), DEC)).toBe(card)
  })

  it.each([
    ['', HEX, 'empty'],
    ['   \n', DEC, 'empty'],
    ['04A1B2G3', HEX, 'bad_character'],
    ['04A1B2C', HEX, 'odd_length'],
    ['04:A1-B2:C3', HEX, 'bad_separator'],
    ['04::A1:B2:C3', HEX, 'bad_separator'],
    ['4:A1:B2:C3', HEX, 'bad_separator'],
    ['04A1B2', HEX, 'too_short'],
    ['0102030405060708091011', HEX, 'too_long'],
    ['00000000', HEX, 'zero'],
    ['0', DEC, 'zero'],
    ['12ab', DEC, 'bad_character'],
    ['-305419896', DEC, 'bad_character'],
    ['3.05e8', DEC, 'bad_character'],
    // 2^80 needs 11 bytes
    ['1208925819614629174706176', DEC, 'too_long'],
  ])('refuses %j (%s)', (raw, settings, expected) => {
    expect(reason(raw, settings)).toBe(expected)
  })
})
