/**
 * The 导入名册 wizard's state, read from the import job the server keeps (the page keeps only
 * its id, in the address, so leaving and coming back finds the job again):
 *
 *   step 0 选择文件   no job yet: download the template, choose a file (checked here: type, size)
 *   step 1 检查结果   the dry run: its progress while it runs, then the problems and the counts
 *   step 2 导入结果   the import of the valid rows: its progress, then what it did
 *
 * The job's `state` (gateway/http_schemas_roster.py) moves checking -> checked -> committing ->
 * committed, or failed at either stage.
 */

export const ROSTER_MAX_BYTES = 5 * 1024 * 1024
export const ROSTER_EXTENSIONS = ['.xlsx', '.csv'] as const

export interface RosterImport {
  import_id: string
  org_id: string
  state: string
  file_name?: string | null
  /** rows read so far and in all (null while unknown), for the progress bar */
  rows_done?: number | null
  rows_total?: number | null
  valid_rows?: number | null
  problem_rows?: number | null
  created?: number | null
  updated?: number | null
  unchanged?: number | null
  refused?: number | null
  error?: string | null
}

export interface RosterProblem {
  row: number
  column: string
  value_masked: string
  reason: string
}

export type WizardStep = 0 | 1 | 2

const CHECKING = ['queued', 'pending', 'checking', 'validating']
const COMMITTING = ['committing', 'importing']
const COMMITTED = ['committed', 'imported', 'done']

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
  return job !== null && job.state === 'checked' && (job.valid_rows ?? 0) > 0
}

/** Percentage of the rows read (null: not known yet). */
export function progressPercent(job: RosterImport | null): number | null {
  if (!job || !job.rows_total) return null
  return Math.min(100, Math.round(((job.rows_done ?? 0) * 100) / job.rows_total))
}

/** Delay before the n-th poll (0-based): quick at first, then every 2 s. */
export function pollDelay(attempt: number): number {
  return Math.min(2000, 500 * 2 ** attempt)
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
