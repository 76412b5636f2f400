import { describe, expect, it } from 'vitest'

import { categoryProgress, describeReason, requiredTotal } from './points'
import type { Scorecard } from './types'

const CARD: Scorecard = {
  member_id: 'm1',
  year: 2026,
  total: 47,
  by_category: { base: 45, contribution: 0, bonus: 2 },
  counts: { org_life: 13, theme_day: 3 },
  requirement: { base: 60, contribution: 40 },
  gaps: { base: 15, contribution: 40 },
}

describe('categoryProgress', () => {
  it('shows each required category with what is earned and the gap, then the others', () => {
    expect(categoryProgress(CARD)).toEqual([
      { category: 'base', earned: 45, required: 60, gap: 15, percent: 75 },
      { category: 'contribution', earned: 0, required: 40, gap: 40, percent: 0 },
      { category: 'bonus', earned: 2, required: 0, gap: 0, percent: 100 },
    ])
  })

  it('never goes past 100 % and derives a missing gap', () => {
    const card = { ...CARD, by_category: { base: 70 }, gaps: {} }
    expect(categoryProgress(card)[0]).toMatchObject({ percent: 100, gap: 0 })
    expect(categoryProgress(card)[1]).toMatchObject({ earned: 0, gap: 40 })
  })

  it('sums the requirement', () => {
    expect(requiredTotal(CARD)).toBe(100)
  })
})

describe('describeReason', () => {
  it('names a meeting attended by its kind, and keeps an unknown reason as it came', () => {
    expect(describeReason('meeting_attended:theme_day')).toEqual({
      key: 'meetingAttended',
      arg: 'theme_day',
    })
    expect(describeReason('donation')).toEqual({ text: 'donation' })
  })
})
