/** 请确认: a question before an action that cannot simply be taken back (a role withdrawn, an
 * account disabled, a kiosk revoked). `useConfirm()` in a page's setup gives the question; it
 * answers true when the person confirmed. */
import { useI18n } from 'vue-i18n'

export interface ConfirmOptions {
  title?: string
  confirmText?: string
  danger?: boolean
}

export function useConfirm() {
  const { t } = useI18n()
  return async function confirmed(message: string, options: ConfirmOptions = {}) {
    try {
      await ElMessageBox.confirm(message, options.title ?? t('accounts.confirmTitle'), {
        type: 'warning',
        confirmButtonText: options.confirmText ?? t('accounts.confirm'),
        cancelButtonText: t('accounts.cancel'),
        confirmButtonClass: options.danger ? 'el-button--danger' : undefined,
      })
      return true
    } catch {
      return false // cancelled
    }
  }
}
