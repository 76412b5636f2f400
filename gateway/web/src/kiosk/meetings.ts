/**
 * The meetings this kiosk may sign members in to today (GET /api/v1/kiosk/meetings), and which
 * one a swipe is for. The list and the meeting chosen among several are kept in localStorage, so
 * that a kiosk that loses the network (or is switched off and on) still gives every swipe,
 * queued ones included, a meeting. What is open is decided on the kiosk's clock from each
 * window's times, so a kept list stays right as windows open and close while offline.
 */
import type { ApiClient } from '@/shared/api'

export interface KioskMeeting {
  meeting_id: string
  title: string
  kind: string
  starts_at: string
  /** sign-in opens and closes (ISO 8601) */
  opens_at: string
  closes_at: string
  open_now: boolean
}

export interface KeptMeetings {
  meetings: KioskMeeting[]
  /** the meeting chosen while several were open (null: none chosen) */
  chosen: string | null
}

/** how often the list is asked for again */
export const REFRESH_MS = 60_000

const KEY = 'dangjian.kiosk.meetings'

export async function fetchMeetings(api: ApiClient): Promise<KioskMeeting[]> {
  const answer = await api.get<{ items: KioskMeeting[] }>('/kiosk/meetings', { timeoutMs: 8000 })
  return answer.items
}

function isMeeting(value: unknown): value is KioskMeeting {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return ['meeting_id', 'title', 'opens_at', 'closes_at'].every((k) => typeof v[k] === 'string')
}

export function loadMeetings(): KeptMeetings {
  try {
    const kept = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<KeptMeetings> | null
    if (kept && Array.isArray(kept.meetings) && kept.meetings.every(isMeeting)) {
      return { meetings: kept.meetings, chosen: typeof kept.chosen === 'string' ? kept.chosen : null }
    }
  } catch {
    // unreadable: asked for again
  }
  return { meetings: [], chosen: null }
}

export function saveMeetings(kept: KeptMeetings | null): void {
  if (kept) localStorage.setItem(KEY, JSON.stringify(kept))
  else localStorage.removeItem(KEY)
}

export type MeetingState =
  /** swipes go to `meeting`; `open` lists every meeting open now (more than one: it may be changed) */
  | { kind: 'chosen'; meeting: KioskMeeting; open: KioskMeeting[] }
  /** several are open and none is chosen: a person chooses */
  | { kind: 'choose'; open: KioskMeeting[] }
  /** none is open now; `next` opens later today, if any */
  | { kind: 'none'; next: KioskMeeting | null }

/**
 * Which meeting a swipe is for at `now`: the one chosen while it stays open, else the only one
 * open; several open and none chosen ask a person to choose; none open names the next one.
 */
export function meetingState(
  meetings: readonly KioskMeeting[],
  now: Date,
  chosen: string | null,
): MeetingState {
  const at = now.getTime()
  const byOpening = [...meetings].sort((a, b) => Date.parse(a.opens_at) - Date.parse(b.opens_at))
  const open = byOpening.filter(
    (m) => Date.parse(m.opens_at) <= at && at <= Date.parse(m.closes_at),
  )
  const meeting = open.find((m) => m.meeting_id === chosen) ?? (open.length === 1 ? open[0] : null)
  if (meeting) return { kind: 'chosen', meeting, open }
  if (open.length > 1) return { kind: 'choose', open }
  return { kind: 'none', next: byOpening.find((m) => Date.parse(m.opens_at) > at) ?? null }
}
