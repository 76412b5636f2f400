/**
 * Which roles may take the actions these pages offer, as the gateway's table says
 * (gateway/access.py PERMISSIONS). The pages only hide what an account may not do; the gateway
 * and the services refuse it anyway.
 */
import type { RoleName } from '@/shared/auth'

const STAFF: RoleName[] = ['county_operator', 'org_admin']
const SECRETARIES: RoleName[] = [...STAFF, 'branch_secretary']
const GRID: RoleName[] = ['grid_leader', 'grid_worker']

export const MAY = {
  /** 查看完整信息: the audited full read of a member's personal data */
  readMemberPii: STAFF,
  scheduleMeeting: SECRETARIES,
  readPoints: [...SECRETARIES, ...GRID],
  readInbox: SECRETARIES,
  /** 党费: the monthly run, payments, reversals, declarations for members */
  manageDues: SECRETARIES,
  /** close a meeting, its minutes, leave decisions (manage_meetings) */
  manageMeetings: SECRETARIES,
} satisfies Record<string, RoleName[]>
