import { describe, expect, it } from 'vitest'

import {
  fileProblem,
  isCommitted,
  isRunning,
  mayCommit,
  pollDelay,
  progressPercent,
  ROSTER_MAX_BYTES,
  wizardStep,
  type RosterImport,
} from './rosterImport'

const job = (state: string, extra: Partial<RosterImport> = {}): RosterImport => ({
  import_id: 'ri-1',
  org_id: 'b01',
  state,
  ...extra,
})

describe('the wizard follows the job', () => {
  it('starts at the file without a job, checks, then imports', () => {
    expect(wizardStep(null)).toBe(0)
    expect(wizardStep(job('checking'))).toBe(1)
    expect(wizardStep(job('checked'))).toBe(1)
    expect(wizardStep(job('committing'))).toBe(2)
    expect(wizardStep(job('committed'))).toBe(2)
  })

  it('polls only while the job works', () => {
    expect(isRunning(null)).toBe(false)
    expect(isRunning(job('checking'))).toBe(true)
    expect(isRunning(job('committing'))).toBe(true)
    expect(isRunning(job('checked'))).toBe(false)
    expect(isRunning(job('committed'))).toBe(false)
    expect(isRunning(job('failed'))).toBe(false)
    expect(isCommitted(job('committed'))).toBe(true)
    expect(isCommitted(job('checked'))).toBe(false)
  })

  it('imports only a checked job with valid rows', () => {
    expect(mayCommit(job('checked', { valid_rows: 3, problem_rows: 1 }))).toBe(true)
    expect(mayCommit(job('checked', { valid_rows: 0, problem_rows: 4 }))).toBe(false)
    expect(mayCommit(job('checking', { valid_rows: 3 }))).toBe(false)
    expect(mayCommit(job('committed', { valid_rows: 3 }))).toBe(false)
  })

  it('shows the share of rows read once the total is known', () => {
    expect(progressPercent(job('checking'))).toBeNull()
    expect(progressPercent(job('checking', { rows_done: 5, rows_total: 20 }))).toBe(25)
    expect(progressPercent(job('checking', { rows_done: 30, rows_total: 20 }))).toBe(100)
  })

  it('polls quickly at first, then every two seconds', () => {
    expect([0, 1, 2, 3, 10].map(pollDelay)).toEqual([500, 1000, 2000, 2000, 2000])
  })
})

describe('fileProblem', () => {
  it('takes an XLSX or CSV file of a sensible size', () => {
    expect(fileProblem({ name: '名册.XLSX', size: 100 })).toBeNull()
    expect(fileProblem({ name: 'roster.csv', size: 100 })).toBeNull()
    expect(fileProblem({ name: 'roster.xls', size: 100 })).toBe('type')
    expect(fileProblem({ name: 'roster.csv', size: 0 })).toBe('empty')
    expect(fileProblem({ name: 'roster.csv', size: ROSTER_MAX_BYTES + 1 })).toBe('size')
  })
})
