import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'

import { installGuard } from './guard'

const Page = { render: () => null }
const ACCOUNT = {
  account_id: 'acc-1',
  username: 'secretary01',
  display_name: '李书记',
  roles: [{ role: 'branch_secretary', org_id: 'b01', scope: '/hj/b01' }],
}
const PAIR = { access_token: 'a', refresh_token: 'r', expires_in: 900 }

function routerWithGuard(): Router {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/sign-in', name: 'sign-in', component: Page, meta: { public: true } },
      { path: '/', name: 'home', component: Page },
      { path: '/password', name: 'password', component: Page },
      { path: '/orgs', name: 'orgs', component: Page, meta: { roles: ['county_operator'] } },
      { path: '/needs', name: 'needs', component: Page, meta: { roles: ['branch_secretary'] } },
    ],
  })
  installGuard(router, (key) => key)
  return router
}

function signedIn(options: { account?: boolean; mustChange?: boolean } = {}) {
  localStorage.setItem('dangjian.console.tokens', JSON.stringify(PAIR))
  if (options.account ?? true) {
    localStorage.setItem('dangjian.console.account', JSON.stringify(ACCOUNT))
  }
  if (options.mustChange) localStorage.setItem('dangjian.console.must-change-password', '1')
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => vi.unstubAllGlobals())

describe('console navigation guard', () => {
  it('sends a visitor to sign in, remembering where they were going', async () => {
    const router = routerWithGuard()
    await router.push('/needs?page=2')
    expect(router.currentRoute.value.name).toBe('sign-in')
    expect(router.currentRoute.value.query).toEqual({ redirect: '/needs?page=2' })
  })

  it('a new password comes first when one is required', async () => {
    signedIn({ mustChange: true })
    const router = routerWithGuard()
    await router.push('/needs')
    expect(router.currentRoute.value.name).toBe('password')
  })

  it('pages of other roles lead home; pages of the role open', async () => {
    signedIn()
    const router = routerWithGuard()
    await router.push('/orgs')
    expect(router.currentRoute.value.name).toBe('home')
    await router.push('/needs')
    expect(router.currentRoute.value.name).toBe('needs')
  })

  it('a signed-in account is not shown the sign-in page', async () => {
    signedIn()
    const router = routerWithGuard()
    await router.push('/sign-in')
    expect(router.currentRoute.value.name).toBe('home')
  })

  it('a stored token without its account asks the server who it is', async () => {
    signedIn({ account: false })
    const fetchMock = vi.fn(async (_input: RequestInfo | URL) => Response.json(ACCOUNT))
    vi.stubGlobal('fetch', fetchMock)
    const router = routerWithGuard()
    await router.push('/needs')
    expect(router.currentRoute.value.name).toBe('needs')
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('/api/v1/auth/me')
    expect(JSON.parse(localStorage.getItem('dangjian.console.account') ?? '{}')).toEqual(ACCOUNT)
  })

  it('a token the server refuses (refresh refused too) ends at the sign-in page', async () => {
    signedIn({ account: false })
    const problem = { status: 401, detail: '登录已过期，请重新登录', code: 'unauthenticated' }
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        Response.json(problem, {
          status: 401,
          headers: { 'Content-Type': 'application/problem+json' },
        }),
      ),
    )
    const router = routerWithGuard()
    await router.push('/needs')
    expect(router.currentRoute.value.name).toBe('sign-in')
    expect(localStorage.getItem('dangjian.console.tokens')).toBeNull()
  })
})
