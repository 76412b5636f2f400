/**
 * Meetings held: leave requests and their decisions, closing a meeting with its attendance
 * sheet, the minutes (纪实) with photos, attendance rates. The minutes go as multipart/form-data
 * (PUT /meetings/{id}/minutes: topic, content, the photos as repeated `photos` files) and the
 * photos come back as images with the bearer token, shown through object URLs.
 */
import { API_PREFIX, type ApiClient } from '@/shared/api'
import { NetworkError, problemFrom } from '@/shared/problem'

import type { Page } from './types'

export type LeaveStatus = 'pending' | 'approved' | 'declined' | 'withdrawn'
export type Outcome = 'present' | 'excused' | 'absent'

export const LEAVE_STATUSES: readonly LeaveStatus[] = ['pending', 'approved', 'declined', 'withdrawn']
export const OUTCOMES: readonly Outcome[] = ['present', 'excused', 'absent']
/** el-tag types per leave status and outcome */
export const LEAVE_TAGS: Record<LeaveStatus, 'warning' | 'success' | 'danger' | 'info'> = {
  pending: 'warning',
  approved: 'success',
  declined: 'danger',
  withdrawn: 'info',
}
export const OUTCOME_TAGS: Record<Outcome, 'success' | 'warning' | 'danger'> = {
  present: 'success',
  excused: 'warning',
  absent: 'danger',
}
/** what the minutes take (services/members/config.yml ORGLIFE, and the gateway's body limit) */
export const PHOTO_TYPES = ['image/jpeg', 'image/png']
export const PHOTO_MAX_COUNT = 9
export const PHOTO_MAX_BYTES = 900 * 1024

export interface LeaveRequest {
  leave_id: string
  meeting_id: string
  meeting_org_path: string
  member_id: string
  member_org_path: string
  reason: string
  status: LeaveStatus
  requested_by: string
  requested_at: string
  decided_by: string | null
  decided_at: string | null
  decline_reason: string
}

export interface Closing {
  meeting_id: string
  org_id: string
  org_path: string
  kind: string
  month: string
  closed_at: string
  closed_by: string
  expected: number
  present: number
  excused: number
  absent: number
  rate: number | null
  absent_member_ids: string[]
}

export interface SheetRow {
  member_id: string
  member_org_path: string
  name_masked: string
  outcome: Outcome
}

export interface Sheet extends Page<SheetRow> {
  closing: Closing
}

export interface Photo {
  photo_id: string
  content_type: string
  size: number
}

export interface Minutes {
  meeting_id: string
  topic: string
  content: string
  photos: Photo[]
  updated_by: string
  updated_at: string
}

/** A rate (0-1, or null when nobody was due) as a percentage with one decimal. */
export function ratePercent(rate: number | null | undefined): number | null {
  if (rate === null || rate === undefined) return null
  return Math.round(rate * 1000) / 10
}

/**
 * What the page offers for closing: 'closed' (the sheet is there), 'ready' (the sign-in window
 * has closed: it may be closed now), 'waiting' (members may still sign in).
 */
export function closingState(
  closesAt: string,
  closed: boolean,
  now: number = Date.now(),
): 'closed' | 'ready' | 'waiting' {
  if (closed) return 'closed'
  return now > Date.parse(closesAt) ? 'ready' : 'waiting'
}

/** Leave is requested before the meeting starts and while it is not closed. */
export function leaveOpen(startsAt: string, closed: boolean, now: number = Date.now()): boolean {
  return !closed && now < Date.parse(startsAt)
}

/** A pending request may be decided until the meeting is closed. */
export function decidable(request: LeaveRequest, closed: boolean): boolean {
  return request.status === 'pending' && !closed
}

export type PhotoProblem = { key: 'tooMany' | 'notImage' | 'tooLarge'; name?: string }

/** The photos chosen, checked before sending (the server checks their content again). */
export function checkPhotos(
  files: readonly { name: string; type: string; size: number }[],
  already = 0,
  maxCount = PHOTO_MAX_COUNT,
  maxBytes = PHOTO_MAX_BYTES,
): PhotoProblem | null {
  if (already + files.length > maxCount) return { key: 'tooMany' }
  for (const file of files) {
    if (!PHOTO_TYPES.includes(file.type)) return { key: 'notImage', name: file.name }
    if (file.size > maxBytes) return { key: 'tooLarge', name: file.name }
  }
  return null
}

/** The minutes as the multipart form the gateway reads. */
export function minutesForm(
  topic: string,
  content: string,
  photos: readonly (Blob & { name?: string })[],
): FormData {
  const form = new FormData()
  form.append('topic', topic.trim())
  form.append('content', content.trim())
  photos.forEach((photo, n) => form.append('photos', photo, photo.name ?? `photo-${n + 1}`))
  return form
}

type Fetch = typeof fetch

/** A call with the console's bearer token, refreshed once on a 401 as the client does. */
async function withToken(
  api: ApiClient,
  path: string,
  init: RequestInit,
  fetchImpl: Fetch,
): Promise<Response> {
  const once = (token?: string) =>
    fetchImpl(API_PREFIX + path, {
      ...init,
      headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    }).catch((error: unknown) => {
      throw new NetworkError(`${init.method ?? 'GET'} ${path}: no answer`, { cause: error })
    })
  const before = api.tokens.get()
  let response = await once(before?.access_token)
  if (response.status === 401 && before?.refresh_token) {
    response = await once((await api.refresh()).access_token)
  }
  if (!response.ok) throw await problemFrom(response)
  return response
}

export async function sendMinutes(
  api: ApiClient,
  meetingId: string,
  form: FormData,
  fetchImpl: Fetch = (input, init) => globalThis.fetch(input, init),
): Promise<Minutes> {
  const path = `/meetings/${encodeURIComponent(meetingId)}/minutes`
  const response = await withToken(api, path, { method: 'PUT', body: form }, fetchImpl)
  return (await response.json()) as Minutes
}

/**
 * Saves the minutes: the topic and content with one photo per request (the gateway takes a
 * body of about 1 MB; the server keeps photos sent before and each photo once by its content).
 */
export async function saveMinutes(
  api: ApiClient,
  meetingId: string,
  topic: string,
  content: string,
  photos: readonly (Blob & { name?: string })[],
  fetchImpl: Fetch = (input, init) => globalThis.fetch(input, init),
): Promise<Minutes> {
  let saved = await sendMinutes(api, meetingId, minutesForm(topic, content, photos.slice(0, 1)), fetchImpl)
  for (const photo of photos.slice(1)) {
    saved = await sendMinutes(api, meetingId, minutesForm(topic, content, [photo]), fetchImpl)
  }
  return saved
}

/** A photo of the minutes as an object URL for an <img> (revoke it when the page goes). */
export async function photoUrl(
  api: ApiClient,
  meetingId: string,
  photoId: string,
  fetchImpl: Fetch = (input, init) => globalThis.fetch(input, init),
): Promise<string> {
  const path =
    `/meetings/${encodeURIComponent(meetingId)}/minutes/photos/${encodeURIComponent(photoId)}`
  const response = await withToken(api, path, { method: 'GET' }, fetchImpl)
  return URL.createObjectURL(await response.blob())
}
