/**
 * A card swipe sent to the gateway (POST /api/v1/kiosk/check-ins), and what the kiosk does with
 * each kind of failure:
 *
 * - no answer (NetworkError: offline, refused, timed out) or 502/503/504 (the gateway is up but
 *   cannot reach the services): the swipe was not recorded; it is queued with its time and
 *   replayed later (a swipe repeated after all is answered 200, nothing new recorded);
 * - on replay, 404 (unknown card), 403 (not expected here) and 409 (meeting not open at that
 *   time) are the server's final word: the swipe is dropped and the kiosk says so; anything else
 *   (401 until the kiosk is paired again, 400 if the server refuses the replay's fields) keeps the
 *   swipe in the queue.
 */
import type { ApiClient } from '@/shared/api'
import { ApiProblem, NetworkError } from '@/shared/problem'

import type { QueuedSwipe, ReplayOutcome } from './offlineQueue'

export interface CheckInAnswer {
  message: string
  first_sign_in: boolean
  check_in_id: string
  checked_in_at: string
  member: { member_id: string; name_masked: string; org_path: string }
  meeting: { meeting_id: string; title: string; kind: string; starts_at: string }
  points: { status: 'pending'; href: string }
}

export interface PointsAnswer {
  status: 'awarded' | 'capped' | 'pending' | 'none'
  points: number | null
  category: string | null
  total: number | null
}

const UNREACHABLE_STATUSES = new Set([502, 503, 504])
const FINAL_ON_REPLAY = new Set([403, 404, 409, 410, 422])

/** True when the swipe cannot have been recorded because the system could not be reached. */
export function isUnreachable(error: unknown): boolean {
  return (
    error instanceof NetworkError ||
    (error instanceof ApiProblem && UNREACHABLE_STATUSES.has(error.status))
  )
}

/** A live swipe: the server takes its own time. */
export function checkIn(api: ApiClient, cardUid: string, meetingId: string) {
  return api.post<CheckInAnswer>(
    '/kiosk/check-ins',
    { card_uid: cardUid, meeting_id: meetingId },
    { timeoutMs: 8000 },
  )
}

/** A queued swipe, sent with the time it was made. */
export function replaySwipe(api: ApiClient, swipe: QueuedSwipe) {
  return api.post<CheckInAnswer>(
    '/kiosk/check-ins',
    { card_uid: swipe.card_uid, meeting_id: swipe.meeting_id, swiped_at: swipe.swiped_at },
    { timeoutMs: 8000 },
  )
}

/** What the queue does with a replayed swipe, given the replay's failure (null: it went in). */
export function replayOutcome(error: unknown): ReplayOutcome {
  if (error === null) return 'done'
  if (error instanceof ApiProblem && FINAL_ON_REPLAY.has(error.status)) return 'drop'
  return 'retry'
}

export function fetchPoints(api: ApiClient, href: string) {
  return api.get<PointsAnswer>(href, { timeoutMs: 5000 })
}
