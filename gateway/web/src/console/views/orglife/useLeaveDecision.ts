/**
 * 批准 / 不批准 a leave request: POST /meetings/{id}/leave/{member}/decision; declining asks for
 * the reason first. Answers the request as decided, or null when the person cancelled.
 */
import { useI18n } from 'vue-i18n'

import { errorMessage } from '@/shared/i18n'

import { api } from '../../api'
import type { LeaveRequest } from '../../lib/orglife'

export function useLeaveDecision() {
  const { t } = useI18n()

  async function reasonForDeclining(): Promise<string | null> {
    try {
      const answer = await ElMessageBox.prompt(t('leave.declinePrompt'), t('leave.declineTitle'), {
        confirmButtonText: t('leave.confirm'),
        cancelButtonText: t('leave.cancel'),
        inputValidator: (value: string) => Boolean(value?.trim()) || t('leave.declineReasonNeeded'),
      })
      return answer.value.trim()
    } catch {
      return null
    }
  }

  return async function decide(request: LeaveRequest, approve: boolean): Promise<LeaveRequest | null> {
    const reason = approve ? null : await reasonForDeclining()
    if (!approve && reason === null) return null
    const path =
      `/meetings/${encodeURIComponent(request.meeting_id)}` +
      `/leave/${encodeURIComponent(request.member_id)}/decision`
    try {
      const decided = await api.post<LeaveRequest>(path, { approve, reason })
      ElMessage.success(t(approve ? 'leave.approved' : 'leave.declined'))
      return decided
    } catch (error) {
      ElMessage.error(errorMessage(error, t))
      return null
    }
  }
}
