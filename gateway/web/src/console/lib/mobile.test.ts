import { describe, expect, it } from 'vitest'

import {
  addMonths,
  daysUntil,
  hostId,
  lapseLevel,
  stayState,
  untilProblem,
  type LapseWarning,
  type MobileStay,
} from './mobile'

const stay = (until: string): MobileStay => ({
  place: '深圳',
  since: '2026-06-01',
  until,
  host_org_id: 'b3',
  host_org_path: '/hj/s2/b3',
})

describe('mobile stays', () => {
  it('count the days to their end', () => {
    expect(daysUntil('2026-12-10', '2026-12-02')).toBe(8)
    expect(daysUntil('2026-11-30', '2026-12-02')).toBe(-2)
  })

  it('are overdue past their end, ending within two weeks, else current', () => {
    expect(stayState(stay('2026-12-01'), '2026-12-02')).toBe('overdue')
    expect(stayState(stay('2026-12-02'), '2026-12-02')).toBe('ending')
    expect(stayState(stay('2026-12-16'), '2026-12-02')).toBe('ending')
    expect(stayState(stay('2026-12-17'), '2026-12-02')).toBe('current')
  })

  it('last at most six months, to the day or the month’s last day', () => {
    expect(addMonths('2026-01-31', 6)).toBe('2026-07-31')
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28')
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15')
    expect(untilProblem('2026-01-31', '2026-07-31')).toBeNull()
    expect(untilProblem('2026-01-31', '2026-08-01')).toBe('untilTooLate')
    expect(untilProblem('2026-01-31', '2026-01-31')).toBe('untilBeforeSince')
    expect(untilProblem('2026-01-31', '')).toBe('untilRequired')
    expect(untilProblem('2026-01-01', '2026-03-01', 1)).toBe('untilTooLate')
  })
})

describe('lapse warnings', () => {
  const warning = (ruleReached: boolean): LapseWarning => ({
    member: {
      member_id: 'm1',
      org_id: 'b1',
      org_path: '/hj/s1/b1',
      name_masked: '张*',
      gender: 'male',
      status: 'full',
      join_date: '2005-07-01',
      card_uid: null,
      id_number_masked: '',
      phone_masked: '',
      skills: [],
    },
    last_active: '2026-05',
    months_inactive: ruleReached ? 6 : 3,
    threshold: ruleReached ? 5 : 3,
    rule_months: 6,
    rule_reached: ruleReached,
  })

  it('are danger once the rule is reached', () => {
    expect(lapseLevel(warning(true))).toBe('danger')
    expect(lapseLevel(warning(false))).toBe('warning')
  })

  it('take the host organization’s id as typed, none when empty', () => {
    expect(hostId('  HJ-S02-C01-B01 ')).toBe('hj-s02-c01-b01')
    expect(hostId('  ')).toBeNull()
  })
})
