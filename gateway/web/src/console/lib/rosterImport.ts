/**
 * The 导入名册 wizard's state, read from the import job the server keeps (the page keeps only
 * its id, in the address, so leaving and coming back finds the job again):
 *
 *   step 0 选择文件   no job yet: download the template, choose a file (checked here: type, size)
 *   step 1 检查结果   the dry run: its progress while it runs, then the problems and the counts
 *   step 2 导入结果   the import of the valid rows: its progress, then what it did
 *
 * The job's `state` (services/members/roster/domain.py) moves queued -> checking -> checked ->
 * importing -> done, or failed.
 */

/** what the gateway takes (gateway/guard.py UPLOAD_MAX_BYTES for the upload route) */
export const ROSTER_MAX_BYTES = 20 * 1024 * 1024
export const ROSTER_EXTENSIONS = ['.xlsx', '.csv'] as const

export interface RosterCounts {
  /** data rows in the file */
  rows: number
  /** the dry run: persons to register, profiles the rows change, rows that change nothing */
  new: number
  updates: number
  unchanged: number
  /** rows with problems (not imported) and the problems listed */
  refused: number
  problems: number
  /** the import: rows gone through, registered, changed, refused by the import itself */
  done: number
  created: number
  updated: number
  failed: number
}

export interface RosterImport {
  import_id: string
  org_id: string
  state: string
  filename?: string
  counts: Partial<RosterCounts>
  progress?: { done: number; total: number }
  error?: string
  unknown_columns?: string[]
}

export interface RosterProblem {
  row: number
  column: string
  value_masked: string
  reason: string
}

export type WizardStep = 0 | 1 | 2

const CHECKING = ['queued', 'checking']
const COMMITTING = ['importing']
const COMMITTED = ['done']

/** Whether the job is still working (the page polls it). */
export function isRunning(job: RosterImport | null): boolean {
  return job !== null && (CHECKING.includes(job.state) || COMMITTING.includes(job.state))
}

/** The step a job is at. */
export function wizardStep(job: RosterImport | null): WizardStep {
  if (!job) return 0
  if (COMMITTING.includes(job.state) || COMMITTED.includes(job.state)) return 2
  return 1
}

export function isCommitted(job: RosterImport | null): boolean {
  return job !== null && COMMITTED.includes(job.state)
}

/** The dry run is over and there are valid rows to import. */
export function mayCommit(job: RosterImport | null): boolean {
  return job !== null && job.state === 'checked' && validRows(job) > 0
}

/** Rows the dry run found nothing wrong with. */
export function validRows(job: RosterImport): number {
  const c = job.counts
  return (c.new ?? 0) + (c.updates ?? 0) + (c.unchanged ?? 0)
}

/** Percentage of the rows read (null: not known yet). */
export function progressPercent(job: RosterImport | null): number | null {
  if (!job?.progress?.total) return null
  return Math.min(100, Math.round((job.progress.done * 100) / job.progress.total))
}

export type FileProblem = 'type' | 'size' | 'empty'

/** What is wrong with a chosen file before it is sent (null: nothing). */
export function fileProblem(file: { name: string; size: number }): FileProblem | null {
  const name = file.name.toLowerCase()
  if (!ROSTER_EXTENSIONS.some((ext) => name.endsWith(ext))) return 'type'
  if (file.size === 0) return 'empty'
  if (file.size > ROSTER_MAX_BYTES) return 'size'
  return null
}
