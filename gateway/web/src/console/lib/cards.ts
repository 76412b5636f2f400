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

/** A card's story (GET /members/{id}/cards): issued, then blocked (lost or replaced) or
 * returned. */
export interface CardRecord {
  card_uid: string
  state: string
  issued_at: string | null
  ended_at?: string | null
  ended_reason?: string | null
  note?: string
  replaced_by?: string | null
}

/** What the card section offers for the member's latest card: a card in use can be reported
 * lost, replaced or returned; a lost one is replaced; without one (or after a return) a card is
 * issued. */
export function cardActions(
  latest: Pick<CardRecord, 'state' | 'ended_reason'> | null | undefined,
): CardAction[] {
  if (latest?.state === 'issued') return ['lost', 'replace', 'return']
  if (latest?.state === 'blocked' && latest.ended_reason === 'lost') return ['replace']
  return ['issue']
}
