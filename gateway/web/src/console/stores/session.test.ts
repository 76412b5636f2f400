import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiProblem } from '@/shared/problem'

import { useSession } from './session'

const STREET = { role: 'org_admin', org_id: 'hj-s01', scope: '/hj/hj-s01' } as const
const BRANCH = { role: 'branch_secretary', org_id: 'hj-b01', scope: '/hj/hj-s01/hj-b01' } as const
const ACCOUNT = {
  account_id: 'acc-1',
  username: 'zhang',
  display_name: '张书记',
  roles: [STREET, BRANCH],
  member_id: null,
}
const NAMES = { 'hj-s01': '新城街道党工委', 'hj-b01': '明福园社区第一党支部' }
const NAMED = {
  ...ACCOUNT,
  roles: ACCOUNT.roles.map((r) => ({ ...r, org_name: NAMES[r.org_id] })),
}

function answer(index: number, access = `access-${index}`) {
  return {
    access_token: access,
    refresh_token: `refresh-${index}`,
    expires_in: 600,
    token_type: 'Bearer',
    must_change_password: false,
    account: ACCOUNT,
    active_role: { index, ...ACCOUNT.roles[index] },
  }
}

/** The gateway: each path answers as given (a function of the request body), once asked. */
function gateway(routes: Record<string, (body: unknown) => Response>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input).replace('/api/v1', '')
    const route = routes[path]
    if (!route) throw new Error(`unexpected ${path}`)
    return route(init?.body ? JSON.parse(String(init.body)) : undefined)
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

const paths = (fetchMock: ReturnType<typeof gateway>) =>
  fetchMock.mock.calls.map((call) => String(call[0]))

async function signedInAsStreetAdmin() {
  gateway({ '/auth/sign-in': () => Response.json(answer(0)) })
  const session = useSession()
  await session.signIn('zhang', 'Secret-pass1')
  return session
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => vi.unstubAllGlobals())

describe('console session', () => {
  it('offers the pages of the active role only: the gateway acts on that one alone', async () => {
    const session = await signedInAsStreetAdmin()
    expect(session.roleNames).toEqual(['org_admin'])
    expect(session.mayOpen(['org_admin'])).toBe(true)
    expect(session.mayOpen(['branch_secretary'])).toBe(false)
    expect(session.assignments.map((a) => [a.index, a.role, a.current])).toEqual([
      [0, 'org_admin', true],
      [1, 'branch_secretary', false],
    ])
  })

  it('names the roles’ organizations from /auth/me, once', async () => {
    const session = await signedInAsStreetAdmin()
    const fetchMock = gateway({
      '/auth/me': () => Response.json({ ...NAMED, active_role: { index: 0, ...STREET } }),
    })
    await session.nameRoles()
    await session.nameRoles()
    expect(paths(fetchMock)).toEqual(['/api/v1/auth/me'])
    expect(session.assignments.map((a) => a.org_name)).toEqual(Object.values(NAMES))
  })

  it('names a single role too (the home page shows it)', async () => {
    const session = useSession()
    const single = { ...ACCOUNT, roles: [STREET] }
    gateway({ '/auth/sign-in': () => Response.json({ ...answer(0), account: single }) })
    await session.signIn('zhang', 'Secret-pass1')
    const fetchMock = gateway({
      '/auth/me': () =>
        Response.json({
          ...single,
          roles: [{ ...STREET, org_name: NAMES[STREET.org_id] }],
          active_role: { index: 0, ...STREET },
        }),
    })
    await session.nameRoles()
    expect(paths(fetchMock)).toEqual(['/api/v1/auth/me'])
    expect(session.account?.roles.map((r) => r.org_name)).toEqual([NAMES[STREET.org_id]])
  })

  it('a switch replaces the tokens and the active role, names kept; reloads find it', async () => {
    const session = await signedInAsStreetAdmin()
    session.account = NAMED
    const fetchMock = gateway({
      '/auth/switch': (body) => Response.json(answer((body as { index: number }).index)),
    })
    await session.switchRole(1)
    expect(fetchMock.mock.calls[0]?.[1]?.headers).toMatchObject({
      Authorization: 'Bearer access-0',
    })
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({ index: 1 })
    expect(JSON.parse(localStorage.getItem('dangjian.console.tokens') ?? '{}')).toEqual({
      access_token: 'access-1',
      refresh_token: 'refresh-1',
      expires_in: 600,
    })
    expect(session.activeRole).toEqual({ index: 1, ...BRANCH })
    expect(session.mayOpen(['org_admin'])).toBe(false)
    expect(session.mayOpen(['branch_secretary'])).toBe(true)
    expect(session.assignments.map((a) => [a.org_name, a.current])).toEqual([
      [NAMES['hj-s01'], false],
      [NAMES['hj-b01'], true],
    ])

    setActivePinia(createPinia()) // the page loaded again
    const reloaded = useSession()
    expect(reloaded.activeRole?.index).toBe(1)
    expect(reloaded.roleNames).toEqual(['branch_secretary'])
    expect(reloaded.account?.roles.map((r) => r.org_name)).toEqual(Object.values(NAMES))
  })

  it('a refused switch leaves the tokens and the role as they were', async () => {
    const session = await signedInAsStreetAdmin()
    const problem = { status: 404, detail: '该角色不存在', code: 'not_found' }
    gateway({
      '/auth/switch': () =>
        Response.json(problem, {
          status: 404,
          headers: { 'Content-Type': 'application/problem+json' },
        }),
    })
    await expect(session.switchRole(5)).rejects.toBeInstanceOf(ApiProblem)
    expect(session.activeRole?.index).toBe(0)
    expect(session.roleNames).toEqual(['org_admin'])
    expect(JSON.parse(localStorage.getItem('dangjian.console.tokens') ?? '{}').access_token).toBe(
      'access-0',
    )
  })

  it('signing out forgets the active role', async () => {
    const session = await signedInAsStreetAdmin()
    gateway({ '/auth/sign-out': () => new Response(null, { status: 204 }) })
    await session.signOut()
    expect(session.activeRole).toBeNull()
    expect(localStorage.getItem('dangjian.console.active-role')).toBeNull()
  })
})
