/**
 * Dues (党费) in the console: money as the API gives it (fen integers beside yuan strings, never
 * floats), the months a payment may cover, the amount they come to, and the generated reference
 * of a cash payment (one per dialog opening, so a repeated click records one payment).
 */
import type { Page } from './types'

export type Category = 'income' | 'retiree' | 'student' | 'no_income'
export const CATEGORIES: Category[] = ['income', 'retiree', 'student', 'no_income']

export interface Tally {
  charged_members: number
  charged_fen: number
  charged_amount: string
  paid_members: number
  paid_fen: number
  paid_amount: string
  undeclared: number
  paid_rate: number | null
}

export interface OrgRate {
  org_id: string
  name: string
  tally: Tally
  paid_rate: number | null
}

export interface PaidRates extends Page<OrgRate> {
  month: string
  org: OrgRate
}

export interface RegisterRow {
  member_id: string
  name_masked: string
  month: string
  amount_fen: number
  amount: string
  undeclared: boolean
  paid: boolean
  paid_by: string | null
  on_time: boolean | null
  arrears_months: number
}

export interface Charge {
  month: string
  amount_fen: number
  amount: string
  undeclared: boolean
  paid: boolean
  paid_by: string | null
  on_time: boolean | null
}

export interface Entry {
  reference: string
  kind: 'payment' | 'reversal'
  months: string[]
  amounts_fen: number[]
  total_fen: number
  amount: string
  method: string
  recorded_by: string
  recorded_at: string
  reverses: string | null
  reversed_by: string | null
  reason: string
}

export interface Declaration {
  year: number
  category: Category
  amount_fen: number
  amount: string
  effective_from: string
}

export interface MemberDues {
  member_id: string
  name_masked: string
  year: number
  declaration: Declaration | null
  months: Charge[]
  arrears: Charge[]
  arrears_fen: number
  arrears_amount: string
  ledger: Entry[]
}

/** Months ahead a payment dialog offers (the server's DUES months_ahead decides). */
export const PREPAY_MONTHS_OFFERED = 12

export type RowState = 'paid' | 'unpaid' | 'undeclared'

/** 1250 -> '12.50', -5 -> '-0.05' (integer arithmetic: no float rounding). */
export function yuanOf(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

const YUAN = /^\d{1,8}(\.\d{1,2})?$/

/** '12.5' -> 1250; null when it is no amount in yuan with at most two decimals. */
export function fenOf(text: string): number | null {
  const value = text.trim()
  if (!YUAN.test(value)) return null
  const [whole, part = ''] = value.split('.')
  return Number(whole) * 100 + Number(part.padEnd(2, '0'))
}

/** '2026-11' + 2 -> '2027-01'. */
export function addMonths(month: string, n: number): string {
  const [year = 0, number = 1] = month.split('-').map(Number)
  const index = year * 12 + number - 1 + n
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

/**
 * The months a payment may cover: the arrears (charged, unpaid, declared), then this month and
 * up to `ahead` months after it not charged yet (prepaid at the declared amount), each with its
 * amount in fen. Months without an amount (undeclared) are left out.
 */
export function payableMonths(
  dues: MemberDues,
  thisMonth: string,
  ahead: number,
): { month: string; fen: number; prepaid: boolean }[] {
  const owed = dues.arrears
    .filter((c) => !c.undeclared)
    .map((c) => ({ month: c.month, fen: c.amount_fen, prepaid: false }))
  const charged = new Set([...dues.months.map((c) => c.month), ...owed.map((o) => o.month)])
  const declared = dues.declaration
  const later = []
  if (declared) {
    for (let n = 0; n <= ahead; n++) {
      const month = addMonths(thisMonth, n)
      if (month.slice(0, 4) !== String(declared.year)) continue
      if (!charged.has(month)) later.push({ month, fen: declared.amount_fen, prepaid: true })
    }
  }
  return [...owed, ...later]
}

/** The amount the chosen months come to, in fen. */
export function totalFen(choices: { month: string; fen: number }[], chosen: string[]): number {
  const picked = new Set(chosen)
  return choices.filter((c) => picked.has(c.month)).reduce((sum, c) => sum + c.fen, 0)
}

/** A register row's state. */
export function rowState(row: Pick<RegisterRow, 'paid' | 'undeclared'>): RowState {
  if (row.paid) return 'paid'
  return row.undeclared ? 'undeclared' : 'unpaid'
}

/** 0.8333 -> '83.3%'; null (nobody charged) -> '—'. */
export function ratePercent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

/** A new reference for a cash payment or a reversal: prefix, day and a random part. */
export function newReference(prefix: 'cash' | 'rev', now: Date = new Date(), random = Math.random): string {
  const day = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`
  const part = Array.from({ length: 10 }, () => Math.floor(random() * 36).toString(36)).join('')
  return `${prefix}-${day}-${part}`
}

/** Payments that may still be reversed: payments not reversed yet. */
export function reversible(entry: Entry): boolean {
  return entry.kind === 'payment' && entry.reversed_by === null
}
