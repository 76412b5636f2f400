/** The points card as a page shows it: per category what is earned against the year's
 * requirement, and what each ledger entry was for. */
import type { Scorecard } from './types'

export interface CategoryProgress {
  category: string
  earned: number
  required: number
  gap: number
  /** earned as a share of the requirement, 0-100 */
  percent: number
}

/** One row per category the year requires (in the requirement's order), then any other
 * category with points. */
export function categoryProgress(card: Scorecard): CategoryProgress[] {
  const categories = [
    ...Object.keys(card.requirement),
    ...Object.keys(card.by_category).filter((c) => !(c in card.requirement)),
  ]
  return categories.map((category) => {
    const earned = card.by_category[category] ?? 0
    const required = card.requirement[category] ?? 0
    const gap = card.gaps[category] ?? Math.max(0, required - earned)
    const percent = required > 0 ? Math.min(100, Math.round((earned / required) * 100)) : 100
    return { category, earned, required, gap, percent }
  })
}

/** The annual total required (the sum of the categories' requirements). */
export function requiredTotal(card: Scorecard): number {
  return Object.values(card.requirement).reduce((sum, n) => sum + n, 0)
}

/**
 * An entry's reason as the ledger writes it ("meeting_attended:theme_day") split into a
 * message key and its argument, for the page's own wording; an unknown reason as it came.
 */
export function describeReason(reason: string): { key: string; arg: string } | { text: string } {
  const [cause, arg = ''] = reason.split(':', 2)
  if (cause === 'meeting_attended' && arg) return { key: 'meetingAttended', arg }
  return { text: reason }
}
