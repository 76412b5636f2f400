import { describe, expect, it } from 'vitest'

import {
  fileProblem,
  isCommitted,
  isRunning,
  mayCommit,
  progressPercent,
  ROSTER_MAX_BYTES,
  wizardStep,
  type RosterImport,
} from './rosterImport'

const job = (state: string, extra: Partial<RosterImport> = {}): RosterImport => ({
  import_id: 'ri-1',
  org_id: 'b01',
  state,
  counts: {},
  ...extra,
})

describe('the wizard follows the job', () => {
  it('starts at the file without a job, checks, then imports', () => {
    expect(wizardStep(null)).toBe(0)
    expect(wizardStep(job('checking'))).toBe(1)
    expect(wizardStep(job('checked'))).toBe(1)
    expect(wizardStep(job('importing'))).toBe(2)
    expect(wizardStep(job('done'))).toBe(2)
  })

  it('polls only while the job works', () => {
    expect(isRunning(null)).toBe(false)
    expect(isRunning(job('checking'))).toBe(true)
    expect(isRunning(job('importing'))).toBe(true)
    expect(isRunning(job('checked'))).toBe(false)
    expect(isRunning(job('done'))).toBe(false)
    expect(isRunning(job('failed'))).toBe(false)
    expect(isCommitted(job('done'))).toBe(true)
    expect(isCommitted(job('checked'))).toBe(false)
  })

  it('imports only a checked job with valid rows', () => {
    expect(mayCommit(job('checked', { counts: { new: 2, updates: 1, refused: 1 } }))).toBe(true)
    expect(mayCommit(job('checked', { counts: { refused: 4 } }))).toBe(false)
    expect(mayCommit(job('checking', { counts: { new: 3 } }))).toBe(false)
    expect(mayCommit(job('done', { counts: { new: 3 } }))).toBe(false)
  })

  it('shows the share of rows read once the total is known', () => {
    expect(progressPercent(job('checking'))).toBeNull()
    expect(progressPercent(job('checking', { progress: { done: 5, total: 20 } }))).toBe(25)
    expect(progressPercent(job('checking', { progress: { done: 30, total: 20 } }))).toBe(100)
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
