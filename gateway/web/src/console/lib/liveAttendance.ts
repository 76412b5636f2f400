/**
 * A meeting's live attendance list: GET /meetings/{id}/attendance?after=<cursor> asked again
 * every few seconds while the page is visible. Rows of the last seconds may come again in the
 * next answer (the API says so), so rows are keyed by member_id; `more` asks again at once.
 */
import type { SignedIn } from './types'

export const POLL_SECONDS = 3

/** The rows in the order recorded with the new ones after them; a row that comes again
 * replaces its earlier copy in place. `added` names the members new to the list. */
export function mergeSignIns(
  current: readonly SignedIn[],
  incoming: readonly SignedIn[],
): { rows: SignedIn[]; added: string[] } {
  const rows = [...current]
  const at = new Map(rows.map((row, i) => [row.member_id, i]))
  const added: string[] = []
  for (const row of incoming) {
    const i = at.get(row.member_id)
    if (i === undefined) {
      at.set(row.member_id, rows.length)
      rows.push(row)
      added.push(row.member_id)
    } else {
      rows[i] = row
    }
  }
  return { rows, added }
}

/** Signed-in share of those expected, 0-100 (null when the meeting is open to all). */
export function attendanceRate(signedIn: number, expected: number | null): number | null {
  if (expected === null) return null
  if (expected <= 0) return 0
  return Math.min(100, Math.round((signedIn / expected) * 100))
}

/**
 * Calls `fetch` now and then every `intervalMs` (at once again when `apply` says more is
 * waiting) until stopped. One request at a time; `stop` cancels the one in flight, and an
 * answer that arrives after a stop is dropped. A failure is reported and retried later.
 */
export class Poller<T> {
  private timer: ReturnType<typeof setTimeout> | null = null
  private controller: AbortController | null = null
  private generation = 0

  constructor(
    private readonly fetch: (signal: AbortSignal) => Promise<T>,
    private readonly apply: (answer: T) => boolean,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs: number,
  ) {}

  get running(): boolean {
    return this.timer !== null || this.controller !== null
  }

  start(): void {
    if (this.running) return
    this.generation += 1
    void this.tick(this.generation)
  }

  stop(): void {
    this.generation += 1
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.controller?.abort()
    this.controller = null
  }

  private async tick(generation: number): Promise<void> {
    this.timer = null
    const controller = new AbortController()
    this.controller = controller
    let again = false
    try {
      const answer = await this.fetch(controller.signal)
      if (generation !== this.generation) return
      again = this.apply(answer)
    } catch (error) {
      if (generation !== this.generation) return
      this.onError(error)
    } finally {
      if (this.controller === controller) this.controller = null
    }
    if (generation !== this.generation) return
    this.timer = setTimeout(() => void this.tick(generation), again ? 0 : this.intervalMs)
  }
}
