/**
 * The console's routes (history mode: the gateway answers index.html for every console path).
 *
 * Pages live under the layout route (left menu, top bar, breadcrumb). To add one, add a child to
 * `layoutChildren` with
 *   meta: { titleKey: 'menu.members', icon: User, menu: true, roles: ['org_admin', ...] }
 * `titleKey` names it in the menu, the breadcrumb and the window title; `menu: true` lists it in
 * the left menu (in this order); `roles` limits it to those roles (absent: every signed-in
 * account). Nested pages take `parentName` to show their parent in the breadcrumb. Pages are
 * loaded lazily (`component: () => import(...)`) so the sign-in page stays small.
 */
import type { Component } from 'vue'
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { Calendar, HomeFilled, Lock, OfficeBuilding } from '@element-plus/icons-vue'
import { Monitor, Service, Tickets, UserFilled } from '@element-plus/icons-vue'

import type { RoleName } from '@/shared/auth'

/** accounts, the sign-in log and kiosks (gateway/access.py: manage_accounts, manage_kiosks) */
const OPERATORS: RoleName[] = ['county_operator', 'org_admin']
const KIOSK_KEEPERS: RoleName[] = [...OPERATORS, 'branch_secretary']
/** roster import (gateway/access.py: import_roster) */
const SECRETARIES: RoleName[] = [...OPERATORS, 'branch_secretary']

declare module 'vue-router' {
  interface RouteMeta {
    titleKey?: string
    icon?: Component
    menu?: boolean
    roles?: RoleName[]
    parentName?: string
    /** reachable without signing in */
    public?: boolean
  }
}

export const layoutChildren: RouteRecordRaw[] = [
  {
    path: '',
    name: 'home',
    component: () => import('./views/HomeView.vue'),
    meta: { titleKey: 'menu.home', icon: HomeFilled, menu: true },
  },
  {
    path: 'orgs',
    name: 'orgs',
    component: () => import('./views/orgs/OrgsView.vue'),
    meta: { titleKey: 'orgs.title', icon: OfficeBuilding, menu: true },
  },
  {
    path: 'members/:id',
    name: 'member',
    component: () => import('./views/orgs/MemberView.vue'),
    meta: { titleKey: 'member.title', parentName: 'orgs' },
  },
  {
    path: 'roster/import',
    name: 'roster-import',
    component: () => import('./views/roster/RosterImportView.vue'),
    meta: { titleKey: 'roster.title', parentName: 'orgs', roles: SECRETARIES },
  },
  {
    path: 'meetings',
    name: 'meetings',
    component: () => import('./views/meetings/MeetingsView.vue'),
    meta: { titleKey: 'meetings.title', icon: Calendar, menu: true },
  },
  {
    path: 'meetings/:id',
    name: 'meeting',
    component: () => import('./views/meetings/MeetingView.vue'),
    meta: { titleKey: 'meeting.title', parentName: 'meetings' },
  },
  {
    path: 'plans',
    name: 'plans',
    component: () => import('./views/plans/CalendarView.vue'),
    meta: { titleKey: 'plans.menu', icon: Calendar, menu: true },
  },
  {
    path: 'leave',
    name: 'leave',
    component: () => import('./views/orglife/LeaveView.vue'),
    meta: { titleKey: 'leave.menu', icon: Tickets, menu: true, roles: SECRETARIES },
  },
  {
    path: 'dues',
    name: 'dues',
    component: () => import('./views/dues/DuesView.vue'),
    meta: { titleKey: 'dues.menu', icon: Tickets, menu: true },
  },
  {
    path: 'transfers',
    name: 'transfers',
    component: () => import('./views/transfers/TransfersView.vue'),
    meta: { titleKey: 'transfers.menu', icon: Tickets, menu: true, roles: SECRETARIES },
  },
  {
    path: 'mobile-members',
    name: 'mobile-members',
    component: () => import('./views/mobile/MobileMembersView.vue'),
    meta: { titleKey: 'mobile.menu', icon: UserFilled, menu: true, roles: SECRETARIES },
  },
  {
    path: 'lapse-warnings',
    name: 'lapse-warnings',
    component: () => import('./views/mobile/LapseWarningsView.vue'),
    // gateway/access.py read_lapse
    meta: { titleKey: 'lapse.menu', icon: Tickets, menu: true, roles: SECRETARIES },
  },
  {
    path: 'needs',
    name: 'needs',
    component: () => import('./views/needs/NeedsView.vue'),
    meta: { titleKey: 'needs.menu', icon: Service, menu: true },
  },
  {
    path: 'accounts',
    name: 'accounts',
    component: () => import('./views/accounts/AccountsView.vue'),
    meta: { titleKey: 'accounts.menu', icon: UserFilled, menu: true, roles: OPERATORS },
  },
  {
    path: 'sign-in-attempts',
    name: 'sign-in-attempts',
    component: () => import('./views/accounts/SignInAttemptsView.vue'),
    meta: { titleKey: 'attempts.menu', icon: Tickets, menu: true, roles: OPERATORS },
  },
  {
    path: 'kiosks',
    name: 'kiosks',
    component: () => import('./views/kiosks/KiosksView.vue'),
    meta: { titleKey: 'kiosks.menu', icon: Monitor, menu: true, roles: KIOSK_KEEPERS },
  },
  {
    path: 'password',
    name: 'password',
    component: () => import('./views/ChangePasswordView.vue'),
    meta: { titleKey: 'menu.password', icon: Lock, menu: true },
  },
  // org tree, members, meetings, needs and accounts join here as their routes become available
]

export const routes: RouteRecordRaw[] = [
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('./views/SignInView.vue'),
    meta: { titleKey: 'signIn.title', public: true },
  },
  {
    path: '/',
    component: () => import('./layout/ConsoleLayout.vue'),
    children: layoutChildren,
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { titleKey: 'notFound.title', public: true },
  },
]

export function createConsoleRouter() {
  return createRouter({ history: createWebHistory('/'), routes })
}
