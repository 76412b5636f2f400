/**
 * Mobile members (流动党员) and lapse warnings: what the pages compute from the answers
 * (GET /orgs/{id}/mobile-members, GET /orgs/{id}/lapse-warnings) and the register form's checks.
 * Days are ISO dates (YYYY-MM-DD), compared as text.
 */
import type { Member } from './types'

/** A mobile member's stay (null once returned). */
export interface MobileStay {
  place: string
  since: string
  until: string
  host_org_id: string | null
  host_org_path: string | null
}

export interface MobileMember extends Member {
  status_since?: string | null
  mobile: MobileStay | null
}

export interface LapseWarning {
  member: Member & { status_since?: string | null }
  last_active: string
  months_inactive: number
  threshold: number
  rule_months: number
  rule_reached: boolean
}

/** The server's limit (MOBILE max_months in services/members/config.yml, an example). */
export const MAX_MONTHS = 6
/** Within this many days of its end a stay is shown as ending soon. */
export const ENDING_DAYS = 14

export type StayState = 'overdue' | 'ending' | 'current'

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000)
}

/** Days from `today` to `day` (negative: already past). */
export function daysUntil(day: string, today: string): number {
  return dayNumber(day) - dayNumber(today)
}

/** Past its end (overdue: 逾期未归), ending within ENDING_DAYS, or current. */
export function stayState(stay: MobileStay, today: string): StayState {
  const left = daysUntil(stay.until, today)
  if (left < 0) return 'overdue'
  if (left <= ENDING_DAYS) return 'ending'
  return 'current'
}

/** The same day `months` later (the month's last day when it has fewer), as the server counts. */
export function addMonths(day: string, months: number): string {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number)
  const index = y * 12 + (m - 1) + months
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${year}-${pad(month)}-${pad(Math.min(d, last))}`
}

/** Why the stay's end is not acceptable (a message key under `mobile.`), or null. */
export function untilProblem(since: string, until: string, maxMonths = MAX_MONTHS): string | null {
  if (!since || !until) return 'untilRequired'
  if (until <= since) return 'untilBeforeSince'
  if (until > addMonths(since, maxMonths)) return 'untilTooLate'
  return null
}

/** The tag type of a warning: the rule reached is danger, a warning below it a warning. */
export function lapseLevel(warning: LapseWarning): 'danger' | 'warning' {
  return warning.rule_reached ? 'danger' : 'warning'
}

/** The host organization's id typed by a secretary: trimmed, lower-case, empty = none. */
export function hostId(typed: string): string | null {
  const id = typed.trim().toLowerCase()
  return id === '' ? null : id
}
