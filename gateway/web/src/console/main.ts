import { createPinia } from 'pinia'
import { createApp } from 'vue'

import { createPageI18n } from '@/shared/i18n'

import { SIGNED_OUT_EVENT } from './api'
import App from './App.vue'
import { installGuard } from './guard'
import { consoleMessages } from './messages'
import { createConsoleRouter } from './router'
import { useSession } from './stores/session'
import './console.css'

const i18n = createPageI18n(consoleMessages)
const router = createConsoleRouter()
const app = createApp(App).use(createPinia()).use(i18n).use(router)
const t = (key: string) => i18n.global.t(key)
installGuard(router, t)

router.afterEach((to) => {
  const title = to.meta.titleKey ? t(to.meta.titleKey) : ''
  document.title = title ? `${title} - ${t('console.title')}` : t('console.title')
})

// the refresh token was refused (expired, revoked): back to the sign-in page
window.addEventListener(SIGNED_OUT_EVENT, () => {
  useSession().clear()
  const current = router.currentRoute.value
  if (!current.meta.public) {
    ElMessage.warning(t('signIn.sessionExpired'))
    void router.push({ name: 'sign-in', query: { redirect: current.fullPath } })
  }
})

app.mount('#app')
