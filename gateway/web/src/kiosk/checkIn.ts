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

/**
 * When to ask for a sign-in's points: soon after the answer (scoring usually has them within a
 * few hundred milliseconds), then less often, about four seconds in all — as long as the answer
 * stays on the screen.
 */
export const POINTS_POLL_MS = [150, 250, 400, 700, 1000, 1500]

/**
 * The points once scoring has them (awarded or capped), asked after each delay while `wanted()`
 * (the answer is still on the screen); null when they are still pending at the end, or the screen
 * has moved on. A failed fetch is asked again at the next delay.
 */
export async function awaitPoints(
  fetchOnce: () => Promise<PointsAnswer>,
  wanted: () => boolean,
  delays: readonly number[] = POINTS_POLL_MS,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((done) => setTimeout(done, ms)),
): Promise<PointsAnswer | null> {
  for (const ms of delays) {
    await sleep(ms)
    if (!wanted()) return null
    try {
      const points = await fetchOnce()
      if (points.status !== 'pending') return points
    } catch {
      // the sign-in is recorded; the next try may reach scoring
    }
  }
  return null
}
