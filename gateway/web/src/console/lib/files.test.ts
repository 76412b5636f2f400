import { describe, expect, it, vi } from 'vitest'

import { ApiClient, MemoryTokenStore } from '@/shared/api'
import { ApiProblem } from '@/shared/problem'

import { apiUrl, dispositionName, uploadFile } from './files'

function client(fetchImpl: typeof fetch) {
  return new ApiClient({
    tokens: new MemoryTokenStore({ access_token: 'old', refresh_token: 'r1', expires_in: 600 }),
    fetch: fetchImpl,
  })
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' },
  })

describe('apiUrl', () => {
  it('puts the path under the API and drops absent parameters', () => {
    expect(apiUrl('/roster/template', { format: 'csv', x: undefined })).toBe(
      '/api/v1/roster/template?format=csv',
    )
    expect(apiUrl('/orgs/b01/members/export')).toBe('/api/v1/orgs/b01/members/export')
  })
})

describe('uploadFile', () => {
  it('sends the file as multipart with the token, refreshing it once on 401', async () => {
    const seen: { auth: string | null; body: unknown }[] = []
    const send = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ auth: new Headers(init?.headers).get('Authorization'), body: init?.body })
      return seen.length === 1 ? json(401, { code: 'unauthenticated' }) : json(202, { id: 'ri-1' })
    })
    const refresh = vi.fn(async () =>
      json(200, { access_token: 'new', refresh_token: 'r2', expires_in: 600 }),
    )
    const api = client(refresh as unknown as typeof fetch)
    const file = new File(['a,b'], 'roster.csv', { type: 'text/csv' })
    const answer = await uploadFile<{ id: string }>(api, '/orgs/b01/roster-imports', file, 'file', send)
    expect(answer).toEqual({ id: 'ri-1' })
    expect(seen.map((s) => s.auth)).toEqual(['Bearer old', 'Bearer new'])
    expect(seen[1]?.body).toBeInstanceOf(FormData)
    expect((seen[1]?.body as FormData).get('file')).toBeInstanceOf(File)
    expect(refresh).toHaveBeenCalledOnce()
  })

  it('fails with the problem the server answered', async () => {
    const send = async () => json(413, { detail: '文件太大', status: 413 })
    const api = client((async () => json(500, {})) as unknown as typeof fetch)
    const file = new File(['x'], 'roster.csv')
    await expect(uploadFile(api, '/x', file, 'file', send)).rejects.toBeInstanceOf(ApiProblem)
  })
})

describe('dispositionName', () => {
  it('prefers the UTF-8 name', () => {
    expect(
      dispositionName(`attachment; filename="roster.xlsx"; filename*=UTF-8''%E5%90%8D%E5%86%8C.xlsx`),
    ).toBe('名册.xlsx')
    expect(dispositionName('attachment; filename="report.csv"')).toBe('report.csv')
    expect(dispositionName(null)).toBeNull()
  })
})
