/** Where a navigation may go: sign-in first, a new password first when one is required, and
 * pages limited to roles only for those roles. */
import type { Router } from 'vue-router'

import { errorMessage } from '@/shared/i18n'

import { useSession } from './stores/session'

export function installGuard(router: Router, t: (key: string) => string) {
  router.beforeEach(async (to) => {
    const session = useSession()
    if (to.meta.public) {
      if (to.name === 'sign-in' && session.hasToken() && session.account) return { name: 'home' }
      return true
    }
    if (!session.hasToken()) {
      return { name: 'sign-in', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    if (!session.account) {
      try {
        await session.loadMe()
      } catch (error) {
        if (!session.hasToken()) return { name: 'sign-in', query: { redirect: to.fullPath } }
        ElMessage.error(errorMessage(error, t))
        return false
      }
    }
    if (session.mustChangePassword && to.name !== 'password') return { name: 'password' }
    if (!session.mayOpen(to.meta.roles)) {
      ElMessage.warning(t('forbidden'))
      return to.name === 'home' ? false : { name: 'home' }
    }
    return true
  })
}
