/** The signed-in member as the gateway knows them (GET /api/v1/auth/me), asked once per
 * sign-in: the member's own records are read by their member id. */
import { useI18n } from 'vue-i18n'

import { fetchMe, type Account } from '@/shared/auth'
import { errorMessage } from '@/shared/i18n'

import { api } from './api'

export interface MemberAccount extends Account {
  member_id: string | null
}

let pending: Promise<MemberAccount> | null = null

export function currentMember(): Promise<MemberAccount> {
  if (!pending) {
    pending = fetchMe(api).then((account) => account as MemberAccount)
    pending.catch(() => {
      pending = null // asked again next time
    })
  }
  return pending
}

/** Signed in, but not as a member (a staff account's token): nothing of a member to show. */
export class NotMemberError extends Error {
  constructor() {
    super('the account signed in is not a member')
    this.name = 'NotMemberError'
  }
}

/** The member id to read records by. */
export async function currentMemberId(): Promise<string> {
  const account = await currentMember()
  if (!account.member_id) throw new NotMemberError()
  return account.member_id
}

export function forgetMember(): void {
  pending = null
}

/** What to tell the member about a failed read of their records. */
export function useMemberError() {
  const { t } = useI18n()
  return (error: unknown) =>
    error instanceof NotMemberError ? t('mobile.notMember') : errorMessage(error, t)
}
