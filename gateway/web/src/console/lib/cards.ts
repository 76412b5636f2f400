/** A member's cards: the UID as typed (or read into the field by a desk reader) made canonical,
 * and the actions each card's state allows. */
import { normaliseUid, UidError } from '@/kiosk/uid'

/** The canonical UID (upper-case hex, 8-20 digits) of what was typed: hex, with or without
 * one separator between bytes; null when it is not a card UID. */
export function cardUidOf(raw: string): string | null {
  try {
    return normaliseUid(raw, { format: 'hex', byteOrder: 'as_read' })
  } catch (error) {
    if (error instanceof UidError) return null
    throw error
  }
}

export type CardAction = 'issue' | 'lost' | 'replace' | 'return'
export type CardState = 'active' | 'lost' | 'returned' | 'replaced'

/** What the card section offers for the member's latest card: none (or one returned or
 * replaced): issue one; a card in use: report it lost, replace or return it; a lost one:
 * replace or return it. */
export function cardActions(latest: { state: string } | null | undefined): CardAction[] {
  if (!latest || latest.state === 'returned' || latest.state === 'replaced') return ['issue']
  return latest.state === 'lost' ? ['replace', 'return'] : ['lost', 'replace', 'return']
}
