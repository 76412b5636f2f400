/** A member's status and the changes the 变更状态 dialog offers (the lifecycle service's rule:
 * services/members/lifecycle; it refuses any other change anyway). */

export const IN_REGISTER = ['full', 'probationary', 'suspended'] as const
export const EXITS = ['lapsed', 'withdrawn', 'expelled', 'deceased'] as const
export const MEMBER_STATUSES = [...IN_REGISTER, ...EXITS] as const
export type MemberStatus = (typeof MEMBER_STATUSES)[number]

/** From each status, the statuses it may change to: a probationary member is confirmed (or
 * leaves); a suspended one is restored; a member who left stays so (a record is never
 * deleted). */
export const TRANSITIONS: Record<MemberStatus, readonly MemberStatus[]> = {
  probationary: ['full', 'suspended', ...EXITS],
  full: ['suspended', ...EXITS],
  suspended: ['full', ...EXITS],
  lapsed: [],
  withdrawn: [],
  expelled: [],
  deceased: [],
}

export function isStatus(value: string): value is MemberStatus {
  return (MEMBER_STATUSES as readonly string[]).includes(value)
}

/** The statuses a member in `status` may be changed to (none for an unknown one). */
export function allowedTransitions(status: string): readonly MemberStatus[] {
  return isStatus(status) ? TRANSITIONS[status] : []
}

/** The tag colour of a status in lists and the timeline. */
export function statusTone(status: string): 'success' | 'warning' | 'info' | 'danger' {
  if (status === 'full') return 'success'
  if (status === 'probationary') return 'warning'
  if (status === 'suspended' || status === 'expelled') return 'danger'
  return 'info'
}

/** Days until a probationary member's year is due (negative: overdue); null when not
 * probationary or the start is unknown. Dates are YYYY-MM-DD. */
export function probationDueIn(
  status: string,
  since: string | null | undefined,
  today: string,
): number | null {
  if (status !== 'probationary' || !since) return null
  const [y, m, d] = since.split('-').map(Number) as [number, number, number]
  const due = Date.UTC(y + 1, m - 1, d)
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number]
  return Math.round((due - Date.UTC(ty, tm - 1, td)) / 86_400_000)
}
