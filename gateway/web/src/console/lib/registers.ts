/** The shapes of the registers' routes (tree, lifecycle and roster: gateway/http_schemas_tree.py,
 * http_schemas_lifecycle.py, http_schemas_roster.py; the OpenAPI document is the contract), and
 * who may take their actions (gateway/access.py). */
import type { RoleName } from '@/shared/auth'

import type { Member, OrgNode } from './types'

export interface Grid {
  leader_id: string | null
  worker_ids: string[]
  households: number
}

/** An organization as GET /orgs/{id} answers it with the registers' fields. */
export interface OrgDetail extends OrgNode {
  /** members in its subtree by status (every status, exits too) */
  by_status?: Record<string, number>
  ends_on?: string | null
  dissolved?: boolean
  dissolved_on?: string | null
  merged_into?: string | null
  grid?: Grid | null
  version?: number
}

/** A member with the full profile (GET /members/{id}). */
export interface MemberProfile extends Member {
  birth_date?: string
  status_since?: string | null
  ethnicity?: string
  education?: string
  work_unit?: string
  duties?: string[]
  grid_id?: string | null
  address_masked?: string
  home_org_id?: string | null
  /** while probationary: the day the probation ends (an extension moves it) */
  probation_ends?: string | null
  version?: number
}

const STAFF: RoleName[] = ['county_operator', 'org_admin']
const SECRETARIES: RoleName[] = [...STAFF, 'branch_secretary']

/** Which roles the console offers each action to (the gateway and the service decide). */
export const MAY_REGISTER = {
  editOrg: STAFF,
  moveOrg: STAFF,
  mergeOrg: STAFF,
  dissolveOrg: STAFF,
  placeTemporary: STAFF,
  editMember: SECRETARIES,
  changeStatus: SECRETARIES,
  manageCards: SECRETARIES,
  importRoster: SECRETARIES,
  exportRoster: SECRETARIES,
} satisfies Record<string, RoleName[]>
