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

/** What the card section offers: a member holding a card (`cardUid`, which a card given at
 * registration has without a card record) can report it lost, have it replaced or return it;
 * one whose latest card was reported lost gets a replacement; anyone else is issued one. */
export function cardActions(
  cardUid: string | null | undefined,
  latest: Pick<CardRecord, 'state' | 'ended_reason'> | null | undefined,
): CardAction[] {
  if (cardUid) return ['lost', 'replace', 'return']
  if (latest?.state === 'blocked' && latest.ended_reason === 'lost') return ['replace']
  return ['issue']
}
