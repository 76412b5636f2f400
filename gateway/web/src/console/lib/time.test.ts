import { describe, expect, it } from 'vitest'

import { daysQuery, formatDateTime, monthOf, withOffset } from './time'

describe('withOffset', () => {
  it('writes the same moment with the local offset', () => {
    const date = new Date(2026, 0, 5, 17, 30, 15)
    const text = withOffset(date)
    expect(text).toMatch(/^2026-01-05T17:30:15[+-]\d\d:\d\d$/)
    expect(new Date(text).getTime()).toBe(date.getTime())
  })
})

describe('daysQuery', () => {
  it('runs from the first day at midnight to the day after the last', () => {
    const { from, to } = daysQuery(new Date(2026, 0, 1, 15), new Date(2026, 0, 31, 9))
    expect(from).toMatch(/^2026-01-01T00:00:00/)
    expect(to).toMatch(/^2026-02-01T00:00:00/)
    expect(new Date(from).getTime()).toBe(new Date(2026, 0, 1).getTime())
  })

  it('crosses the end of a year', () => {
    expect(daysQuery(new Date(2026, 11, 31), new Date(2026, 11, 31)).to).toMatch(
      /^2027-01-01T00:00:00/,
    )
  })
})

describe('monthOf', () => {
  it('gives the first and last day of the month, leap years included', () => {
    const [first, last] = monthOf(new Date(2028, 1, 10))
    expect([first.getDate(), last.getDate(), last.getMonth()]).toEqual([1, 29, 1])
  })
})

describe('formatDateTime', () => {
  it('shows minutes in local time, and a dash for nothing', () => {
    expect(formatDateTime(withOffset(new Date(2026, 0, 5, 8, 3)))).toBe('2026-01-05 08:03')
    expect(formatDateTime(null)).toBe('-')
    expect(formatDateTime('not a time')).toBe('-')
  })
})
