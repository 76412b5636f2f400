import { describe, expect, it } from 'vitest'

import { itemCounts } from './scorecard'

describe('the points card on the phone', () => {
  it('counts what was taken part in, most first, leaving out what was not', () => {
    const card = {
      member_id: 'mb-1',
      year: 2026,
      total: 9,
      by_category: { base: 9 },
      counts: { theme_day: 1, training: 0, org_life: 2, lecture: 1 },
      requirement: { base: 60, contribution: 40 },
      gaps: { base: 51, contribution: 40 },
    }
    expect(itemCounts(card)).toEqual([
      { item: 'org_life', count: 2 },
      { item: 'lecture', count: 1 },
      { item: 'theme_day', count: 1 },
    ])
  })
})
