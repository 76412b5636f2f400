import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'

import { createPageI18n } from '@/shared/i18n'

import { api, SIGNED_OUT_EVENT } from './api'
import { forgetMember } from './member'
import { mobileMessages } from './messages'
import MobileApp from './MobileApp.vue'
import './mobile.css'

// history mode under /m/: the gateway answers m.html for every /m/... path
const router = createRouter({
  history: createWebHistory('/m/'),
  routes: [
    {
      path: '/',
      component: () => import('./views/TabsLayout.vue'),
      children: [
        { path: '', redirect: { name: 'points' } },
        { path: 'points', name: 'points', component: () => import('./views/PointsView.vue') },
        { path: 'inbox', name: 'inbox', component: () => import('./views/InboxView.vue') },
        { path: 'meetings', name: 'meetings', component: () => import('./views/MeetingsView.vue') },
        { path: 'me', name: 'me', component: () => import('./views/MeView.vue') },
      ],
    },
    {
      path: '/sign-in',
      name: 'sign-in',
      component: () => import('./views/SignInView.vue'),
      meta: { public: true },
    },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.public && !api.tokens.get()) return { name: 'sign-in' }
  if (to.name === 'sign-in' && api.tokens.get()) return { name: 'points' }
  return true
})

window.addEventListener(SIGNED_OUT_EVENT, () => {
  forgetMember()
  void router.push({ name: 'sign-in' })
})

createApp(MobileApp).use(createPageI18n(mobileMessages)).use(router).mount('#app')
