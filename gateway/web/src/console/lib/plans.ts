/**
 * The yearly plan of meetings (GET /orgs/{id}/plan, GET /orgs/{id}/plan-gaps): the answer's
 * types and what the calendar page makes of them. The server decides each entry's state from the
 * meetings held (done, due, missing, upcoming); here the entries are laid out as a grid of
 * meeting kinds by month (a quarter's entry spans its three months), the theme days are found
 * by month, and the days left of a due entry are counted.
 */

export type PlanState = 'done' | 'due' | 'missing' | 'upcoming'
export type PlanPeriod = 'month' | 'quarter' | 'half' | 'year'

export interface PlanEntry {
  kind: string
  period: PlanPeriod
  key: string // 2026-03, 2026-Q1, 2026-H1, 2026
  first: string // YYYY-MM-DD
  last: string // YYYY-MM-DD, inclusive
  required: number
  held: number
  state: PlanState
  theme_day: string | null
}

export interface Plan {
  org_id: string
  org_kind: string
  year: number
  today: string
  entries: PlanEntry[]
  theme_days: string[]
  warnings: PlanEntry[]
}

export interface OrgGaps {
  org_id: string
  name: string
  kind: string
  path: string
  gaps: PlanEntry[]
}

export interface GapsPage {
  period: string
  items: OrgGaps[]
  next_cursor: string | null
}

/** A cell of the grid: the entry covering months [month, month + span). */
export interface PlanCell {
  month: number // 1-12
  span: number
  entry: PlanEntry
}

export interface PlanRow {
  kind: string
  period: PlanPeriod
  cells: PlanCell[]
}

export const STATE_TAGS: Record<PlanState, 'success' | 'warning' | 'danger' | 'info'> = {
  done: 'success',
  due: 'warning',
  missing: 'danger',
  upcoming: 'info',
}

export const PLAN_STATES: PlanState[] = ['done', 'due', 'missing', 'upcoming']

/** The month (1-12) of a date written YYYY-MM-DD. */
export function monthNumber(day: string): number {
  return Number(day.slice(5, 7))
}

/** How many months an entry's period spans. */
export function monthsSpanned(entry: Pick<PlanEntry, 'first' | 'last'>): number {
  const years = Number(entry.last.slice(0, 4)) - Number(entry.first.slice(0, 4))
  return years * 12 + monthNumber(entry.last) - monthNumber(entry.first) + 1
}

/** One row per meeting kind, in the order the server listed the kinds, each with its
 * periods as cells laid on the months they cover. */
export function planGrid(entries: PlanEntry[]): PlanRow[] {
  const rows = new Map<string, PlanRow>()
  for (const entry of entries) {
    let row = rows.get(entry.kind)
    if (!row) {
      row = { kind: entry.kind, period: entry.period, cells: [] }
      rows.set(entry.kind, row)
    }
    row.cells.push({ month: monthNumber(entry.first), span: monthsSpanned(entry), entry })
  }
  for (const row of rows.values()) row.cells.sort((a, b) => a.month - b.month)
  return [...rows.values()]
}

/** The theme days by month (1-12). */
export function themeDaysByMonth(days: string[]): Map<number, string> {
  return new Map(days.map((day) => [monthNumber(day), day]))
}

function dayNumber(day: string): number {
  const [y, m, d] = day.split('-').map(Number)
  return Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1) / 86_400_000
}

/** Days from ``today`` to the last day of the entry's period (0: it ends today). */
export function daysLeft(entry: Pick<PlanEntry, 'last'>, today: string): number {
  return dayNumber(entry.last) - dayNumber(today)
}

/** Counts of entries per state (the legend's figures). */
export function stateCounts(entries: PlanEntry[]): Record<PlanState, number> {
  const counts: Record<PlanState, number> = { done: 0, due: 0, missing: 0, upcoming: 0 }
  for (const entry of entries) counts[entry.state] += 1
  return counts
}

/** Whether the page offers to schedule the entry's meeting (a due one, for secretaries). */
export function schedulable(entry: Pick<PlanEntry, 'state'>): boolean {
  return entry.state === 'due'
}
