/** Who is signed in to the console: the account, the role its tokens carry (the one the
 * gateway acts on), and whether the password must be changed. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import type { TokenPair } from '@/shared/api'
import * as auth from '@/shared/auth'
import type { Account, ActiveRole, Me, RoleName } from '@/shared/auth'
import { ApiProblem } from '@/shared/problem'

import { api } from '../api'

const ACCOUNT_KEY = 'dangjian.console.account'
const ACTIVE_ROLE_KEY = 'dangjian.console.active-role'
const MUST_CHANGE_KEY = 'dangjian.console.must-change-password'

function loadStored<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key)
    return text ? (JSON.parse(text) as T) : null
  } catch {
    return null
  }
}

function store(key: string, value: unknown) {
  if (value) localStorage.setItem(key, JSON.stringify(value))
  else localStorage.removeItem(key)
}

function pairOf(answer: TokenPair): TokenPair {
  const { access_token, refresh_token, expires_in } = answer
  return { access_token, refresh_token, expires_in }
}

export const useSession = defineStore('session', () => {
  const signedIn = api.tokens.get() !== null
  const account = ref<Account | null>(signedIn ? loadStored<Account>(ACCOUNT_KEY) : null)
  const activeRole = ref<ActiveRole | null>(
    signedIn ? loadStored<ActiveRole>(ACTIVE_ROLE_KEY) : null,
  )
  const mustChangePassword = ref(localStorage.getItem(MUST_CHANGE_KEY) === '1')
  /** what the pages offer follows the active role (all the account's until it is known) */
  const roleNames = computed<RoleName[]>(() =>
    activeRole.value ? [activeRole.value.role] : (account.value?.roles.map((r) => r.role) ?? []),
  )
  /** the account's roles by their position (what /auth/switch takes), the active one marked */
  const assignments = computed(() =>
    (account.value?.roles ?? []).map((grant, index) => ({
      ...grant,
      index,
      current: index === activeRole.value?.index,
    })),
  )

  function setAccount(value: Account | null, active: ActiveRole | null) {
    account.value = value
    activeRole.value = active
    store(ACCOUNT_KEY, value)
    store(ACTIVE_ROLE_KEY, active)
  }

  function setMe({ active_role, ...mine }: Me) {
    setAccount(mine, active_role)
  }

  function setMustChange(value: boolean) {
    mustChangePassword.value = value
    if (value) localStorage.setItem(MUST_CHANGE_KEY, '1')
    else localStorage.removeItem(MUST_CHANGE_KEY)
  }

  function hasToken(): boolean {
    return api.tokens.get() !== null
  }

  async function signIn(username: string, password: string) {
    const answer = await auth.signIn(api, username, password)
    api.tokens.set(pairOf(answer))
    setAccount(answer.account, answer.active_role)
    setMustChange(answer.must_change_password)
    return answer
  }

  /** The account behind the stored token (after a reload); a refused token clears the session. */
  async function loadMe() {
    try {
      setMe(await auth.fetchMe(api))
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) clear()
      throw error
    }
  }

  /** A sign-in answers the roles without their organizations' names: /auth/me has them, asked
   * once (unnamed, the roles show their scope meanwhile). */
  async function nameRoles() {
    const roles = account.value?.roles ?? []
    if (roles.every((r) => r.org_name !== undefined)) return
    try {
      await loadMe()
    } catch {
      // the names stay unknown; the next page load asks again
    }
  }

  /** Another of the account's roles made the active one: new tokens carrying it. The account's
   * roles are the same ones (a change of roles ends every session), so their names are kept. */
  async function switchRole(index: number) {
    const answer = await auth.switchRole(api, index)
    api.tokens.set(pairOf(answer))
    const names = new Map(account.value?.roles.map((r) => [r.scope, r.org_name]))
    const roles = answer.account.roles.map((r) => ({ ...r, org_name: names.get(r.scope) }))
    setAccount({ ...answer.account, roles }, answer.active_role)
  }

  async function changePassword(current: string, next: string) {
    api.tokens.set(await auth.changePassword(api, current, next))
    setMustChange(false)
  }

  /** Ends the session on the server when it can be reached; signed out here in any case. */
  async function signOut() {
    try {
      if (hasToken()) await auth.signOut(api)
    } catch {
      // the local session ends anyway; the refresh token expires on its own
    } finally {
      clear()
    }
  }

  function clear() {
    api.tokens.set(null)
    setAccount(null, null)
    setMustChange(false)
  }

  function mayOpen(roles: readonly RoleName[] | undefined): boolean {
    return !roles || roles.some((role) => roleNames.value.includes(role))
  }

  return {
    account,
    activeRole,
    assignments,
    mustChangePassword,
    roleNames,
    hasToken,
    signIn,
    loadMe,
    nameRoles,
    switchRole,
    changePassword,
    signOut,
    clear,
    mayOpen,
  }
})
