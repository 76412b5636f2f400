/**
 * Card UID normalisation: what a card reader types -> the UID the server knows.
 *
 * Card readers that act as a keyboard type the card's UID followed by Enter, in one of two
 * formats (a setting of the kiosk, matching how its reader is configured):
 *
 * - `hex`: the UID bytes as hexadecimal digits, two per byte. Either contiguous ("04A1B2C3",
 *   optionally prefixed "0x") or with one separator (space, ":" or "-") between every two bytes
 *   ("04:A1:B2:C3"). Upper or lower case. An odd number of digits is refused (which byte lacks its
 *   leading zero is ambiguous).
 * - `decimal`: the UID bytes read as one unsigned big-endian integer, in decimal ("0305419896").
 *   Leading zeros are allowed. The bytes are the integer's big-endian bytes, left-padded with
 *   zero bytes to at least 4 bytes (the shortest ISO 14443 UID).
 *
 * and in one of two byte orders (the other setting):
 *
 * - `as_read`: the bytes come out of the reader in the card's own order (UID0 first).
 * - `reversed`: the reader sends the bytes last first (many readers print a 4-byte UID as a
 *   little-endian number): the bytes are reversed to get the card's order.
 *
 * The canonical UID is the card's bytes in the card's order, as upper-case hexadecimal without
 * separators, 4 to 10 bytes (8 to 20 digits: what the gateway accepts as `card_uid`).
 *
 * Example: a reader set to decimal + reversed types "305419896" = 0x12345678: bytes as read
 * 12 34 56 78, reversed 78 56 34 12, canonical UID "78563412". The same card on a reader set
 * to hex + as_read types "78563412" or "78:56:34:12".
 *
 * Whitespace around the input (a reader's trailing CR/LF) is ignored; anything else that is not
 * of the format is refused with a `UidError` naming the reason.
 */

export type UidFormat = 'hex' | 'decimal'
export type ByteOrder = 'as_read' | 'reversed'

export interface UidSettings {
  format: UidFormat
  byteOrder: ByteOrder
}

export const MIN_UID_BYTES = 4
export const MAX_UID_BYTES = 10

export type UidErrorReason =
  | 'empty'
  | 'bad_character'
  | 'bad_separator'
  | 'odd_length'
  | 'too_short'
  | 'too_long'
  | 'zero'

export class UidError extends Error {
  readonly reason: UidErrorReason
  constructor(reason: UidErrorReason, message: string) {
    super(message)
    this.name = 'UidError'
    this.reason = reason
  }
}

const HEX_CONTIGUOUS = /^(?:0[xX])?([0-9A-Fa-f]+)$/
const HEX_SEPARATED = /^[0-9A-Fa-f]{2}(?:([ :-])[0-9A-Fa-f]{2})+$/
const DECIMAL = /^[0-9]+$/

function hexBytes(text: string): number[] {
  let digits: string
  const separated = HEX_SEPARATED.exec(text)
  if (separated) {
    const separator = separated[1] as string
    digits = text.split(separator).join('')
    if (digits.length * 1.5 - 1 !== text.length) {
      // "04:A1-B2" and the like: one separator throughout
      throw new UidError('bad_separator', `mixed separators in ${JSON.stringify(text)}`)
    }
  } else {
    const contiguous = HEX_CONTIGUOUS.exec(text)
    if (!contiguous) {
      const reason = /[\s:-]/.test(text) ? 'bad_separator' : 'bad_character'
      throw new UidError(reason, `not hexadecimal card bytes: ${JSON.stringify(text)}`)
    }
    digits = contiguous[1] as string
    if (digits.length % 2 !== 0) {
      throw new UidError('odd_length', `an odd number of hex digits: ${JSON.stringify(text)}`)
    }
  }
  const bytes: number[] = []
  for (let i = 0; i < digits.length; i += 2) bytes.push(parseInt(digits.slice(i, i + 2), 16))
  return bytes
}

function decimalBytes(text: string): number[] {
  if (!DECIMAL.test(text)) {
    throw new UidError('bad_character', `not a decimal number: ${JSON.stringify(text)}`)
  }
  let value = BigInt(text)
  if (value === 0n) throw new UidError('zero', 'a card UID of zero is a reader fault')
  const bytes: number[] = []
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn))
    value >>= 8n
  }
  while (bytes.length < MIN_UID_BYTES) bytes.unshift(0)
  return bytes
}

/** The canonical UID (upper-case hex, card byte order) of what the reader typed. */
export function normaliseUid(raw: string, settings: UidSettings): string {
  const text = raw.trim()
  if (!text) throw new UidError('empty', 'no card UID was read')
  const bytes = settings.format === 'hex' ? hexBytes(text) : decimalBytes(text)
  if (bytes.length < MIN_UID_BYTES) {
    throw new UidError('too_short', `${bytes.length} bytes; a card UID has at least 4`)
  }
  if (bytes.length > MAX_UID_BYTES) {
    throw new UidError('too_long', `${bytes.length} bytes; a card UID has at most 10`)
  }
  if (bytes.every((b) => b === 0)) throw new UidError('zero', 'a card UID of zero is a reader fault')
  if (settings.byteOrder === 'reversed') bytes.reverse()
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('')
}
