/** Who is signed in to the console: the account, and whether the password must be changed. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import * as auth from '@/shared/auth'
import type { Account, RoleName } from '@/shared/auth'
import { ApiProblem } from '@/shared/problem'

import { api } from '../api'

const ACCOUNT_KEY = 'dangjian.console.account'
const MUST_CHANGE_KEY = 'dangjian.console.must-change-password'

function loadAccount(): Account | null {
  try {
    const text = localStorage.getItem(ACCOUNT_KEY)
    return text ? (JSON.parse(text) as Account) : null
  } catch {
    return null
  }
}

export const useSession = defineStore('session', () => {
  const account = ref<Account | null>(api.tokens.get() ? loadAccount() : null)
  const mustChangePassword = ref(localStorage.getItem(MUST_CHANGE_KEY) === '1')
  const roleNames = computed<RoleName[]>(() => account.value?.roles.map((r) => r.role) ?? [])

  function setAccount(value: Account | null) {
    account.value = value
    if (value) localStorage.setItem(ACCOUNT_KEY, JSON.stringify(value))
    else localStorage.removeItem(ACCOUNT_KEY)
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
    api.tokens.set({
      access_token: answer.access_token,
      refresh_token: answer.refresh_token,
      expires_in: answer.expires_in,
    })
    setAccount(answer.account)
    setMustChange(answer.must_change_password)
    return answer
  }

  /** The account behind the stored token (after a reload); a refused token clears the session. */
  async function loadMe() {
    try {
      setAccount(await auth.fetchMe(api))
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) clear()
      throw error
    }
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
    setAccount(null)
    setMustChange(false)
  }

  function mayOpen(roles: readonly RoleName[] | undefined): boolean {
    return !roles || roles.some((role) => roleNames.value.includes(role))
  }

  return {
    account,
    mustChangePassword,
    roleNames,
    hasToken,
    signIn,
    loadMe,
    changePassword,
    signOut,
    clear,
    mayOpen,
  }
})
