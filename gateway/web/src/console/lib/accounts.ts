/** Staff accounts as the API has them (/api/v1/accounts, gateway/http_schemas*.py): the roles an
 * account may be given, the form's rules (the gateway's), and what a row shows of its state. */
import type { RoleName } from '@/shared/auth'

export const STAFF_ROLES = [
  'county_operator',
  'org_admin',
  'branch_secretary',
  'grid_leader',
  'grid_worker',
  'community_worker',
] as const satisfies readonly RoleName[]
export type StaffRole = (typeof STAFF_ROLES)[number]

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/
export const DISPLAY_NAME_MAX = 50

export interface AccountRole {
  role: StaffRole
  org_id: string
  scope: string
}

export interface StaffAccount {
  account_id: string
  username: string
  display_name: string
  roles: AccountRole[]
  member_id: string | null
  org_path: string
  enabled: boolean
  must_change_password: boolean
  locked_until: string | null
  created_at: string
  last_sign_in_at: string | null
}

export interface AccountCreated extends StaffAccount {
  /** made by the server when none was given: shown once */
  initial_password: string | null
}

export interface PasswordReset {
  account: StaffAccount
  one_time_password: string
}

export interface SignInAttempt {
  username: string
  at: string
  ip: string | null
  outcome: 'ok' | 'bad_password' | 'locked' | 'disabled' | 'unknown_user'
  account_id: string | null
  org_path: string | null
}

/** The roles the signed-in operator may give: an organization admin never gives the county
 * operator's role (the server refuses it anyway). */
export function grantableRoles(mine: readonly string[]): StaffRole[] {
  return mine.includes('county_operator')
    ? [...STAFF_ROLES]
    : STAFF_ROLES.filter((role) => role !== 'county_operator')
}

export interface StateTag {
  key: 'enabled' | 'disabled' | 'lockedUntil' | 'mustChange'
  /** lockedUntil: when the lockout ends */
  until?: string
}

/** What a row says of an account: disabled, or active; locked (until when) while the lockout
 * lasts; a password change due. */
export function accountState(account: StaffAccount, now: number = Date.now()): StateTag[] {
  const tags: StateTag[] = [{ key: account.enabled ? 'enabled' : 'disabled' }]
  if (account.locked_until && Date.parse(account.locked_until) > now) {
    tags.push({ key: 'lockedUntil', until: account.locked_until })
  }
  if (account.must_change_password) tags.push({ key: 'mustChange' })
  return tags
}
