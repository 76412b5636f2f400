import { describe, expect, it } from 'vitest'

import { monthKey } from './time'

import {
  daysLeft,
  monthsSpanned,
  planGrid,
  schedulable,
  stateCounts,
  themeDaysByMonth,
  type PlanEntry,
} from './plans'

function entry(kind: string, period: PlanEntry['period'], first: string, last: string,
  state: PlanEntry['state'] = 'upcoming'): PlanEntry {
  return { kind, period, key: first.slice(0, 7), first, last, required: 1, held: 0, state,
    theme_day: null }
}

describe('monthsSpanned', () => {
  it('counts the months of a month, a quarter, a half and a year', () => {
    expect(monthsSpanned({ first: '2026-03-01', last: '2026-03-31' })).toBe(1)
    expect(monthsSpanned({ first: '2026-04-01', last: '2026-06-30' })).toBe(3)
    expect(monthsSpanned({ first: '2026-07-01', last: '2026-12-31' })).toBe(6)
    expect(monthsSpanned({ first: '2026-01-01', last: '2026-12-31' })).toBe(12)
  })
})

describe('planGrid', () => {
  it('lays each kind on a row with its periods on the months they cover', () => {
    const rows = planGrid([
      entry('general_meeting', 'quarter', '2026-04-01', '2026-06-30'),
      entry('committee_meeting', 'month', '2026-02-01', '2026-02-28'),
      entry('general_meeting', 'quarter', '2026-01-01', '2026-03-31', 'done'),
      entry('committee_meeting', 'month', '2026-01-01', '2026-01-31'),
    ])
    expect(rows.map((r) => r.kind)).toEqual(['general_meeting', 'committee_meeting'])
    expect(rows[0]?.cells.map((c) => [c.month, c.span])).toEqual([[1, 3], [4, 3]])
    expect(rows[0]?.cells[0]?.entry.state).toBe('done')
    expect(rows[1]?.cells.map((c) => c.month)).toEqual([1, 2])
  })
})

describe('themeDaysByMonth and daysLeft', () => {
  it('finds a month’s theme day and counts the days to a period’s end', () => {
    const days = themeDaysByMonth(['2026-01-09', '2026-11-13'])
    expect(days.get(11)).toBe('2026-11-13')
    expect(days.get(2)).toBeUndefined()
    expect(daysLeft({ last: '2026-11-30' }, '2026-11-20')).toBe(10)
    expect(daysLeft({ last: '2026-03-01' }, '2026-02-28')).toBe(1)
    expect(daysLeft({ last: '2026-10-31' }, '2026-11-20')).toBeLessThan(0)
  })
})

describe('monthKey, stateCounts and schedulable', () => {
  it('writes the month, counts the states and offers due entries only', () => {
    expect(monthKey(new Date(2026, 2, 31))).toBe('2026-03')
    const entries = [
      entry('a', 'month', '2026-01-01', '2026-01-31', 'done'),
      entry('a', 'month', '2026-02-01', '2026-02-28', 'missing'),
      entry('a', 'month', '2026-03-01', '2026-03-31', 'due'),
    ]
    expect(stateCounts(entries)).toEqual({ done: 1, due: 1, missing: 1, upcoming: 0 })
    expect(entries.map(schedulable)).toEqual([false, false, true])
  })
})
