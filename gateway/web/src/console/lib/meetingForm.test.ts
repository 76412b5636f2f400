import { describe, expect, it } from 'vitest'

import { emptyMeetingForm, meetingBody, newMeetingId } from './meetingForm'

describe('newMeetingId', () => {
  it('is mt- and 16 hex digits, different each time', () => {
    const a = newMeetingId()
    expect(a).toMatch(/^mt-[0-9a-f]{16}$/)
    expect(newMeetingId()).not.toBe(a)
    expect(newMeetingId(() => 0)).toBe('mt-0000000000000000')
  })
})

describe('meetingBody', () => {
  it('sends the start with an offset, the title trimmed and the window in minutes', () => {
    const form = {
      ...emptyMeetingForm(new Date(2026, 0, 9, 14, 30, 45)),
      title: ' 一月主题党日 ',
      invited_org_ids: ['b02'],
    }
    const body = meetingBody(form, 'b01', 'mt-1')
    expect(body).toMatchObject({
      meeting_id: 'mt-1',
      org_id: 'b01',
      kind: 'theme_day',
      title: '一月主题党日',
      window_before_min: 20,
      window_after_min: 20,
      invited_org_ids: ['b02'],
      open_to_all: false,
    })
    expect(body.starts_at).toMatch(/^2026-01-09T14:30:00[+-]\d\d:\d\d$/)
  })

  it('invites nobody in particular when the meeting is open to all', () => {
    const form = { ...emptyMeetingForm(), title: 't', invited_org_ids: ['b02'], open_to_all: true }
    expect(meetingBody(form, 'b01', 'mt-1').invited_org_ids).toEqual([])
  })

  it('needs a start', () => {
    expect(() => meetingBody({ ...emptyMeetingForm(), starts_at: null }, 'b01', 'm')).toThrow()
  })
})
