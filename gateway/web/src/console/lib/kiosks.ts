/** Kiosks and their pairing codes as the API has them (/api/v1/kiosks, /kiosks/pairing-codes). */

export interface Kiosk {
  device_id: string
  org_id: string
  org_path: string
  place: string
  revoked: boolean
  revoked_at: string | null
}

export interface PairingCode {
  code: string
  expires_at: string
  org_id: string
  org_path: string
  place: string
}

export const PLACE_MAX = 100

/** "66441045" -> "6644 1045": read aloud and typed in two halves. */
export function groupCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)} ${code.slice(4)}` : code
}

/** Whole seconds left until `expiresAt` (0 once past; the server's clock is the one that
 * counts, so this is what the page says, not a promise). */
export function secondsLeft(expiresAt: string, now: number = Date.now()): number {
  const at = Date.parse(expiresAt)
  return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((at - now) / 1000))
}

/** 905 -> "15:05" */
export function minutesSeconds(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}
