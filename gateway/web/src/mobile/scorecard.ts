/** What the member's points card shows beyond the console's reading of it
 * (`@/console/lib/points`: categories against the requirement, reasons). */
import type { Scorecard } from '@/console/lib/types'

/** Counts per item, most first then by name, without items never earned. */
export function itemCounts(card: Scorecard): Array<{ item: string; count: number }> {
  return Object.entries(card.counts)
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([item, count]) => ({ item, count }))
}
