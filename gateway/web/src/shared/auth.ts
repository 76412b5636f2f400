/** The sign-in contract of the gateway (/api/v1/auth/...), shared by the console and phones. */
import type { ApiClient, TokenPair } from './api'

export type RoleName =
  | 'county_operator'
  | 'org_admin'
  | 'branch_secretary'
  | 'grid_leader'
  | 'grid_worker'
  | 'community_worker'
  | 'member'
  | 'kiosk'

export interface RoleGrant {
  role: RoleName
  org_id: string
  scope: string
  /** the organization's name (a staff account's roles, from /auth/me) */
  org_name?: string | null
}

/** The role the tokens carry: its position in `roles` (null: a token without a session). */
export interface ActiveRole {
  index: number | null
  role: RoleName
  org_id: string | null
  scope: string
}

export interface Account {
  account_id: string
  username: string
  display_name: string
  roles: RoleGrant[]
  /** the member record of the person (a member signed in by SMS code: always) */
  member_id: string | null
}

export interface SignInAnswer extends TokenPair {
  must_change_password: boolean
  account: Account
  active_role: ActiveRole
}

export interface Me extends Account {
  active_role: ActiveRole
}

export function signIn(api: ApiClient, username: string, password: string): Promise<SignInAnswer> {
  return api.post<SignInAnswer>('/auth/sign-in', { username, password }, { auth: false })
}

export function fetchMe(api: ApiClient): Promise<Me> {
  return api.get<Me>('/auth/me')
}

/** Another of the account's roles (its position in `roles`) made the active one: a new pair. */
export function switchRole(api: ApiClient, index: number): Promise<SignInAnswer> {
  return api.post<SignInAnswer>('/auth/switch', { index })
}

export function changePassword(
  api: ApiClient,
  currentPassword: string,
  newPassword: string,
): Promise<TokenPair> {
  return api.post<TokenPair>('/auth/password', {
    current_password: currentPassword,
    new_password: newPassword,
  })
}

/** Ends the session on the server (the refresh token is revoked); 204. */
export function signOut(api: ApiClient): Promise<void> {
  return api.post<void>('/auth/sign-out')
}

/** 202 alike for every number: the server's sentence to show and the code's lifetime. */
export interface MemberCodeAnswer {
  message: string
  expires_in: number
}

export function requestMemberCode(api: ApiClient, phone: string): Promise<MemberCodeAnswer> {
  return api.post<MemberCodeAnswer>('/auth/member-code', { phone }, { auth: false })
}

export function memberSignIn(api: ApiClient, phone: string, code: string): Promise<TokenPair> {
  return api.post<TokenPair>('/auth/member-sign-in', { phone, code }, { auth: false })
}
