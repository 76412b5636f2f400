import { describe, expect, it } from 'vitest'

import { groupCode, minutesSeconds, secondsLeft } from './kiosks'

describe('pairing codes', () => {
  it('are shown in two halves', () => {
    expect(groupCode('66441045')).toBe('6644 1045')
    expect(groupCode('123')).toBe('123')
  })

  it('count down to their expiry, never below zero', () => {
    const now = Date.parse('2026-01-05T09:00:00Z')
    expect(secondsLeft('2026-01-05T09:15:00+00:00', now)).toBe(900)
    expect(secondsLeft('2026-01-05T17:14:59.600+08:00', now)).toBe(899)
    expect(secondsLeft('2026-01-05T08:59:00Z', now)).toBe(0)
    expect(secondsLeft('not a time', now)).toBe(0)
  })

  it('write the time left as minutes and seconds', () => {
    expect(minutesSeconds(900)).toBe('15:00')
    expect(minutesSeconds(65)).toBe('01:05')
    expect(minutesSeconds(0)).toBe('00:00')
    expect(minutesSeconds(-3)).toBe('00:00')
  })
})
