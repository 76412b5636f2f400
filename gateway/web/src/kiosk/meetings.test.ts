import { beforeEach, describe, expect, it } from 'vitest'

import { ApiClient, MemoryTokenStore } from '@/shared/api'

import {
  fetchMeetings,
  loadMeetings,
  meetingState,
  saveMeetings,
  type KioskMeeting,
} from './meetings'

/** a meeting whose sign-in is open from `opens` to `closes` o'clock (UTC) on 5 January 2026 */
function meeting(id: string, opens: number, closes: number): KioskMeeting {
  const at = (hour: number) => new Date(Date.UTC(2026, 0, 5, hour)).toISOString()
  return {
    meeting_id: id,
    title: `会议${id}`,
    kind: 'theme_day',
    starts_at: at(opens),
    opens_at: at(opens),
    closes_at: at(closes),
    open_now: false,
  }
}

const at = (hour: number, minute = 0) => new Date(Date.UTC(2026, 0, 5, hour, minute))
const morning = meeting('a', 8, 10)
const midday = meeting('b', 9, 12)
const evening = meeting('c', 18, 20)

describe('meetingState', () => {
  it('chooses the only meeting open now by itself', () => {
    expect(meetingState([evening, morning], at(8, 30), null)).toEqual({
      kind: 'chosen',
      meeting: morning,
      open: [morning],
    })
  })

  it('asks a person to choose when several are open, by opening', () => {
    expect(meetingState([midday, evening, morning], at(9, 30), null)).toEqual({
      kind: 'choose',
      open: [morning, midday],
    })
  })

  it('keeps the chosen meeting while it is open, then falls back to the one left', () => {
    const all = [morning, midday, evening]
    expect(meetingState(all, at(9, 30), 'b')).toEqual({
      kind: 'chosen',
      meeting: midday,
      open: [morning, midday],
    })
    expect(meetingState(all, at(11), 'a')).toMatchObject({ kind: 'chosen', meeting: midday })
  })

  it('takes the window as open at its first and last moment', () => {
    expect(meetingState([evening], at(18), null)).toMatchObject({ kind: 'chosen' })
    expect(meetingState([evening], at(20), null)).toMatchObject({ kind: 'chosen' })
    expect(meetingState([evening], at(20, 1), null)).toEqual({ kind: 'none', next: null })
  })

  it('names the next meeting of the day when none is open', () => {
    expect(meetingState([evening, morning, midday], at(13), null)).toEqual({
      kind: 'none',
      next: evening,
    })
    expect(meetingState([], at(13), 'a')).toEqual({ kind: 'none', next: null })
  })
})

describe('the kept list', () => {
  beforeEach(() => localStorage.clear())

  it('is read back as it was saved, and forgotten when cleared', () => {
    saveMeetings({ meetings: [morning, midday], chosen: 'b' })
    expect(loadMeetings()).toEqual({ meetings: [morning, midday], chosen: 'b' })
    saveMeetings(null)
    expect(loadMeetings()).toEqual({ meetings: [], chosen: null })
  })

  it('is empty when what was kept cannot be read', () => {
    for (const junk of ['{', '{"meetings": [{"meeting_id": 1}]}', '[]', '"x"']) {
      localStorage.setItem('dangjian.kiosk.meetings', junk)
      expect(loadMeetings()).toEqual({ meetings: [], chosen: null })
    }
  })
})

describe('fetchMeetings', () => {
  it("asks the gateway with the kiosk's token", async () => {
    const asked: [string, RequestInit | undefined][] = []
    const api = new ApiClient({
      tokens: new MemoryTokenStore({ access_token: 'device', refresh_token: '', expires_in: 0 }),
      fetch: async (input, init) => {
        asked.push([String(input), init])
        return Response.json({ items: [morning] })
      },
    })
    expect(await fetchMeetings(api)).toEqual([morning])
    expect(asked[0]?.[0]).toBe('/api/v1/kiosk/meetings')
    expect(new Headers(asked[0]?.[1]?.headers).get('Authorization')).toBe('Bearer device')
  })
})
