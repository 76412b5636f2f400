/** The 新建会议 form as POST /meetings takes it. */
import { withOffset } from './time'

export const MEETING_KINDS = [
  'general_meeting',
  'committee_meeting',
  'group_meeting',
  'lecture',
  'theme_day',
  'org_life_meeting',
  'democratic_appraisal',
] as const

/** The sign-in window the members service uses when none is given (config.yml, example). */
export const DEFAULT_WINDOW_MINUTES = 20
export const MAX_WINDOW_MINUTES = 24 * 60

export interface MeetingForm {
  kind: string
  title: string
  starts_at: Date | null
  window_before_min: number
  window_after_min: number
  invited_org_ids: string[]
  open_to_all: boolean
}

/** A meeting id made by the page once per form, so that sending it again (a retry after a
 * lost answer) finds the same meeting instead of scheduling a second one. */
export function newMeetingId(random: () => number = Math.random): string {
  const bytes = new Uint8Array(8)
  if (globalThis.crypto?.getRandomValues && random === Math.random) {
    globalThis.crypto.getRandomValues(bytes)
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
  }
  return 'mt-' + [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export function emptyMeetingForm(now: Date = new Date()): MeetingForm {
  const start = new Date(now)
  start.setSeconds(0, 0)
  return {
    kind: 'theme_day',
    title: '',
    starts_at: start,
    window_before_min: DEFAULT_WINDOW_MINUTES,
    window_after_min: DEFAULT_WINDOW_MINUTES,
    invited_org_ids: [],
    open_to_all: false,
  }
}

export function meetingBody(form: MeetingForm, orgId: string, meetingId: string) {
  if (!form.starts_at) throw new Error('starts_at is required')
  return {
    meeting_id: meetingId,
    org_id: orgId,
    kind: form.kind,
    title: form.title.trim(),
    starts_at: withOffset(form.starts_at),
    window_before_min: form.window_before_min,
    window_after_min: form.window_after_min,
    // invited organizations only matter when the meeting is not open to all
    invited_org_ids: form.open_to_all ? [] : form.invited_org_ids,
    open_to_all: form.open_to_all,
  }
}
