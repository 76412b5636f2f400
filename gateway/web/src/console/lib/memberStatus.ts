/** A member's status and the changes the 变更状态 dialog offers, as the lifecycle service
 * allows them (services/members/lifecycle/domain.py: reason_code_for; it refuses any other). */
import type { RoleName } from '@/shared/auth'

import { yearsLater } from './idNumber'

export const IN_REGISTER = ['full', 'probationary', 'suspended'] as const
export const EXITS = ['lapsed', 'withdrawn', 'expelled', 'deceased'] as const
/** registered in another deployment by a transfer letter: never changed by hand */
export const TRANSFERRED_OUT = 'transferred_out'
export const MEMBER_STATUSES = [...IN_REGISTER, ...EXITS, TRANSFERRED_OUT] as const
export type MemberStatus = (typeof MEMBER_STATUSES)[number]

/** Who may undo a member's leaving (reinstate). */
export const REINSTATERS: RoleName[] = ['county_operator']

/** From each status in the register, the statuses it may change to: a probationary member
 * is confirmed, has the probation extended (to the same status) or leaves; a suspended one is
 * restored; anyone in the register may be suspended or leave. */
const IN_REGISTER_CHANGES: Record<(typeof IN_REGISTER)[number], readonly MemberStatus[]> = {
  probationary: ['full', 'probationary', 'suspended', ...EXITS],
  full: ['suspended', ...EXITS],
  suspended: ['full', 'probationary', ...EXITS],
}

export function isStatus(value: string): value is MemberStatus {
  return (MEMBER_STATUSES as readonly string[]).includes(value)
}

/** The statuses a member in `status` may be changed to by `role` (a member who has left only
 * by a county operator, back into the register). */
export function allowedTransitions(status: string, role: RoleName | null): readonly MemberStatus[] {
  if (!isStatus(status) || status === TRANSFERRED_OUT) return [] // back only by a transfer
  if ((EXITS as readonly string[]).includes(status)) {
    return role && REINSTATERS.includes(role) ? ['full', 'probationary'] : []
  }
  return IN_REGISTER_CHANGES[status as (typeof IN_REGISTER)[number]]
}

/** A change to the same status is the probation's extension (it takes a number of days). */
export function isExtension(from: string, to: string): boolean {
  return from === 'probationary' && to === 'probationary'
}

/** The tag colour of a status in lists and the timeline. */
export function statusTone(status: string): 'success' | 'warning' | 'info' | 'danger' {
  if (status === 'full') return 'success'
  if (status === 'probationary') return 'warning'
  if (status === 'suspended' || status === 'expelled') return 'danger'
  return 'info'
}

/** The day a probation ends: as the member record says (an extension moves it), else a year
 * after joining. Dates are YYYY-MM-DD. */
export function probationEnd(joinDate: string, probationEnds?: string | null): string {
  return probationEnds || yearsLater(joinDate, 1)
}

/** Days from `today` to the probation's end (negative: overdue); null when not probationary. */
export function probationDueIn(
  member: { status: string; join_date: string; probation_ends?: string | null },
  today: string,
): number | null {
  if (member.status !== 'probationary') return null
  const day = (iso: string) => {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
    return Date.UTC(y, m - 1, d)
  }
  return Math.round((day(probationEnd(member.join_date, member.probation_ends)) - day(today)) / 86_400_000)
}
