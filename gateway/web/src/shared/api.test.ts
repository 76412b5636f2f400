import { describe, expect, it, vi } from 'vitest'

import { ApiClient, MemoryTokenStore, type TokenPair } from './api'
import { ApiProblem, NetworkError } from './problem'

const PROBLEM = { 'Content-Type': 'application/problem+json' }

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

function problem(status: number, detail: string, errors?: Record<string, string[]>): Response {
  const code = status === 401 ? 'unauthenticated' : 'invalid_input'
  return json(status, { type: `https://x/${code}`, title: 't', status, detail, code, errors }, PROBLEM)
}

const OLD: TokenPair = { access_token: 'old-access', refresh_token: 'old-refresh', expires_in: 900 }
const NEW: TokenPair = { access_token: 'new-access', refresh_token: 'new-refresh', expires_in: 900 }

/** A fake gateway: only NEW's access token is valid; refresh answers NEW after a tick. */
function fakeGateway(options: { refreshStatus?: number; delayMs?: (url: string) => number } = {}) {
  const calls: Array<{ url: string; auth: string | null; body: string | null }> = []
  let refreshes = 0
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input)
    const headers = new Headers(init?.headers)
    const body = typeof init?.body === 'string' ? init.body : null
    calls.push({ url, auth: headers.get('Authorization'), body })
    await new Promise((resolve) => setTimeout(resolve, options.delayMs?.(url) ?? 5))
    if (url.endsWith('/api/v1/auth/refresh')) {
      refreshes += 1
      if (options.refreshStatus) return problem(options.refreshStatus, '登录已过期，请重新登录')
      expect(JSON.parse(body ?? '{}')).toEqual({ refresh_token: 'old-refresh' })
      return json(200, NEW)
    }
    if (headers.get('Authorization') !== `Bearer ${NEW.access_token}`) {
      return problem(401, '登录已过期，请重新登录')
    }
    return json(200, { path: new URL(url, 'http://x').pathname })
  })
  return { fetchMock, calls, refreshes: () => refreshes }
}

describe('ApiClient refresh on 401', () => {
  it('concurrent calls that meet a 401 share one refresh and are each repeated once', async () => {
    const gateway = fakeGateway()
    const tokens = new MemoryTokenStore(OLD)
    const api = new ApiClient({ tokens, fetch: gateway.fetchMock })

    const answers = await Promise.all(
      ['/a', '/b', '/c', '/d', '/e'].map((path) => api.get<{ path: string }>(path)),
    )

    expect(answers.map((a) => a.path)).toEqual(
      ['/a', '/b', '/c', '/d', '/e'].map((p) => `/api/v1${p}`),
    )
    expect(gateway.refreshes()).toBe(1)
    expect(tokens.get()).toEqual(NEW)
    // 5 refused, 1 refresh, 5 repeated with the new token
    expect(gateway.calls).toHaveLength(11)
    const repeated = gateway.calls.filter((c) => c.auth === `Bearer ${NEW.access_token}`)
    expect(repeated.map((c) => c.url).sort()).toEqual(
      ['/a', '/b', '/c', '/d', '/e'].map((p) => `/api/v1${p}`),
    )
  })

  it('a call refused after another call refreshed reuses the new token without refreshing', async () => {
    // /slow is refused only after /first's refresh has finished
    const gateway = fakeGateway({ delayMs: (url) => (url.endsWith('/slow') ? 60 : 5) })
    const tokens = new MemoryTokenStore(OLD)
    const api = new ApiClient({ tokens, fetch: gateway.fetchMock })
    const slow = api.get<{ path: string }>('/slow') // sent with OLD
    await api.get('/first') // refused, refreshes, repeated
    expect(gateway.refreshes()).toBe(1)
    expect(await slow).toEqual({ path: '/api/v1/slow' })
    expect(gateway.refreshes()).toBe(1)
    expect(gateway.calls.filter((c) => c.url.endsWith('/slow')).map((c) => c.auth)).toEqual([
      'Bearer old-access',
      'Bearer new-access',
    ])
  })

  it('a refused refresh signs out once and fails every call with the 401 problem', async () => {
    const gateway = fakeGateway({ refreshStatus: 401 })
    const tokens = new MemoryTokenStore(OLD)
    const onSignedOut = vi.fn()
    const api = new ApiClient({ tokens, fetch: gateway.fetchMock, onSignedOut })

    const results = await Promise.allSettled([api.get('/a'), api.get('/b'), api.get('/c')])

    expect(gateway.refreshes()).toBe(1)
    expect(onSignedOut).toHaveBeenCalledTimes(1)
    expect(tokens.get()).toBeNull()
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(ApiProblem)
      expect(reason).toMatchObject({ status: 401, detail: '登录已过期，请重新登录' })
    }
  })

  it('public calls (auth: false) send no token and never refresh', async () => {
    const gateway = fakeGateway()
    const api = new ApiClient({ tokens: new MemoryTokenStore(OLD), fetch: gateway.fetchMock })
    await expect(
      api.post('/auth/sign-in', { username: 'a', password: 'b' }, { auth: false }),
    ).rejects.toMatchObject({ status: 401 })
    expect(gateway.refreshes()).toBe(0)
    expect(gateway.calls[0]?.auth).toBeNull()
  })

  it('a refresh that cannot reach the gateway keeps the pair and fails with NetworkError', async () => {
    const tokens = new MemoryTokenStore(OLD)
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      if (String(input).endsWith('/auth/refresh')) throw new TypeError('Failed to fetch')
      return problem(401, '登录已过期')
    })
    const api = new ApiClient({ tokens, fetch: fetchMock })
    await expect(api.get('/a')).rejects.toBeInstanceOf(NetworkError)
    expect(tokens.get()).toEqual(OLD)
  })
})

describe('ApiClient problem details', () => {
  it('a validation problem carries the detail and the per-field messages', async () => {
    const fetchMock = vi.fn(async () =>
      problem(400, '部分字段缺失或无效', {
        new_password: ['密码至少需要 10 个字符'],
        'tags.0': ['太长'],
      }),
    )
    const api = new ApiClient({ tokens: new MemoryTokenStore(NEW), fetch: fetchMock })
    const error = await api.post('/auth/password', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiProblem)
    const p = error as ApiProblem
    expect(p.status).toBe(400)
    expect(p.code).toBe('invalid_input')
    expect(p.detail).toBe('部分字段缺失或无效')
    expect(p.fieldMessage('new_password')).toBe('密码至少需要 10 个字符')
    expect(p.fieldMessage('current_password')).toBeUndefined()
    expect(p.otherMessages(['new_password'])).toEqual(['太长'])
  })

  it('a non-JSON error page gives a problem with the status alone', async () => {
    const fetchMock = vi.fn(
      async () => new Response('<html>Bad Gateway</html>', { status: 502, headers: {} }),
    )
    const api = new ApiClient({ tokens: new MemoryTokenStore(), fetch: fetchMock })
    await expect(api.get('/x')).rejects.toMatchObject({ status: 502, detail: '', code: '' })
  })

  it('no answer within the timeout is a NetworkError', async () => {
    const fetchMock = vi.fn(
      (_input: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
        }),
    )
    const api = new ApiClient({ tokens: new MemoryTokenStore(), fetch: fetchMock, timeoutMs: 20 })
    await expect(api.get('/x')).rejects.toBeInstanceOf(NetworkError)
  })

  it('query parameters are encoded and empty ones left out', async () => {
    const fetchMock = vi.fn(async (_input: RequestInfo | URL) => json(200, { items: [] }))
    const api = new ApiClient({ tokens: new MemoryTokenStore(NEW), fetch: fetchMock })
    await api.get('/needs', { query: { limit: 100, cursor: undefined, scope: '/hj a' } })
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('/api/v1/needs?limit=100&scope=%2Fhj+a')
  })
})
