import { describe, expect, it } from 'vitest'

import { monthKey } from './time'

import {
  addMonths,
  fenOf,
  newReference,
  payableMonths,
  ratePercent,
  reversible,
  rowState,
  totalFen,
  yuanOf,
  type Entry,
  type MemberDues,
} from './dues'

describe('money', () => {
  it('shows fen as yuan without float rounding', () => {
    expect(yuanOf(1250)).toBe('12.50')
    expect(yuanOf(5)).toBe('0.05')
    expect(yuanOf(-4568)).toBe('-45.68')
    expect(yuanOf(0)).toBe('0.00')
  })
  it('reads yuan into fen', () => {
    expect(fenOf('12.5')).toBe(1250)
    expect(fenOf(' 0.07 ')).toBe(7)
    expect(fenOf('45.68')).toBe(4568)
    expect(fenOf('1.005')).toBeNull()
    expect(fenOf('-1')).toBeNull()
    expect(fenOf('abc')).toBeNull()
  })
  it('shows a paid rate', () => {
    expect(ratePercent(5 / 6)).toBe('83.3%')
    expect(ratePercent(1)).toBe('100.0%')
    expect(ratePercent(null)).toBe('—')
  })
})

describe('months', () => {
  it('counts across years', () => {
    expect(monthKey(new Date(2026, 10, 23))).toBe('2026-11')
    expect(addMonths('2026-11', 2)).toBe('2027-01')
    expect(addMonths('2026-01', -1)).toBe('2025-12')
  })
})

const dues: MemberDues = {
  member_id: 'm1',
  name_masked: '张*',
  year: 2026,
  declaration: { year: 2026, category: 'income', amount_fen: 4000, amount: '40.00', effective_from: '2026-01' },
  months: [
    { month: '2026-10', amount_fen: 4000, amount: '40.00', undeclared: false, paid: true, paid_by: 'r', on_time: true },
    { month: '2026-11', amount_fen: 4000, amount: '40.00', undeclared: false, paid: false, paid_by: null, on_time: null },
  ],
  arrears: [
    { month: '2025-12', amount_fen: 20, amount: '0.20', undeclared: false, paid: false, paid_by: null, on_time: null },
    { month: '2026-09', amount_fen: 0, amount: '0.00', undeclared: true, paid: false, paid_by: null, on_time: null },
    { month: '2026-11', amount_fen: 4000, amount: '40.00', undeclared: false, paid: false, paid_by: null, on_time: null },
  ],
  arrears_fen: 4020,
  arrears_amount: '40.20',
  ledger: [],
}

describe('a payment', () => {
  it('offers the arrears and the declared months ahead of this year', () => {
    const choices = payableMonths(dues, '2026-11', 12)
    expect(choices.map((c) => c.month)).toEqual(['2025-12', '2026-11', '2026-12'])
    expect(choices[2]).toEqual({ month: '2026-12', fen: 4000, prepaid: true })
    expect(totalFen(choices, ['2025-12', '2026-12'])).toBe(4020)
    expect(totalFen(choices, [])).toBe(0)
  })
  it('offers no prepayment without a declaration', () => {
    const choices = payableMonths({ ...dues, declaration: null }, '2026-11', 12)
    expect(choices.every((c) => !c.prepaid)).toBe(true)
  })
  it('makes references a server accepts', () => {
    const made = newReference('cash', new Date(2026, 10, 2), () => 0.5)
    expect(made).toMatch(/^cash-20261102-[0-9a-z]{10}$/)
    expect(made).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.:-]{5,79}$/)
  })
})

describe('register rows and the ledger', () => {
  it('names the state of a row', () => {
    expect(rowState({ paid: true, undeclared: false })).toBe('paid')
    expect(rowState({ paid: false, undeclared: true })).toBe('undeclared')
    expect(rowState({ paid: false, undeclared: false })).toBe('unpaid')
  })
  it('reverses payments once', () => {
    const entry = { kind: 'payment', reversed_by: null } as Entry
    expect(reversible(entry)).toBe(true)
    expect(reversible({ ...entry, reversed_by: 'rev-1' })).toBe(false)
    expect(reversible({ ...entry, kind: 'reversal' })).toBe(false)
  })
})
