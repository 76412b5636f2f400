import { describe, expect, it, vi } from 'vitest'

import { ApiClient, MemoryTokenStore } from '@/shared/api'
import { ApiProblem } from '@/shared/problem'

import {
  checkPhotos,
  closingState,
  decidable,
  leaveOpen,
  minutesForm,
  ratePercent,
  saveMinutes,
  sendMinutes,
  type LeaveRequest,
} from './orglife'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' },
  })

function request(status: LeaveRequest['status']): LeaveRequest {
  return {
    leave_id: 'mt-1:mb-1',
    meeting_id: 'mt-1',
    meeting_org_path: '/hj/b1',
    member_id: 'mb-1',
    member_org_path: '/hj/b1',
    reason: '出差',
    status,
    requested_by: 'sec',
    requested_at: '2026-11-23T09:00:00+00:00',
    decided_by: null,
    decided_at: null,
    decline_reason: '',
  }
}

describe('ratePercent', () => {
  it('shows one decimal and nothing when nobody was due', () => {
    expect(ratePercent(0.9649)).toBe(96.5)
    expect(ratePercent(1)).toBe(100)
    expect(ratePercent(0)).toBe(0)
    expect(ratePercent(null)).toBeNull()
    expect(ratePercent(undefined)).toBeNull()
  })
})

describe('closingState and leaveOpen', () => {
  const closes = '2026-11-23T10:20:00+00:00'
  const starts = '2026-11-23T10:00:00+00:00'
  it('offers closing once the sign-in window has closed', () => {
    expect(closingState(closes, false, Date.parse(closes))).toBe('waiting')
    expect(closingState(closes, false, Date.parse(closes) + 1)).toBe('ready')
    expect(closingState(closes, true, 0)).toBe('closed')
  })
  it('takes leave before the start of an open meeting only', () => {
    expect(leaveOpen(starts, false, Date.parse(starts) - 1)).toBe(true)
    expect(leaveOpen(starts, false, Date.parse(starts))).toBe(false)
    expect(leaveOpen(starts, true, 0)).toBe(false)
  })
  it('decides pending requests of a meeting not closed', () => {
    expect(decidable(request('pending'), false)).toBe(true)
    expect(decidable(request('pending'), true)).toBe(false)
    expect(decidable(request('approved'), false)).toBe(false)
  })
})

describe('checkPhotos', () => {
  const jpeg = { name: 'a.jpg', type: 'image/jpeg', size: 1000 }
  it('takes JPEG and PNG within the count and size', () => {
    expect(checkPhotos([jpeg, { ...jpeg, name: 'b.png', type: 'image/png' }])).toBeNull()
  })
  it('names what is wrong', () => {
    expect(checkPhotos([jpeg], 9)).toEqual({ key: 'tooMany' })
    expect(checkPhotos([{ ...jpeg, name: 'c.gif', type: 'image/gif' }])).toEqual({
      key: 'notImage',
      name: 'c.gif',
    })
    expect(checkPhotos([{ ...jpeg, size: 1024 * 1024 }])).toEqual({
      key: 'tooLarge',
      name: 'a.jpg',
    })
  })
})

describe('minutesForm and sendMinutes', () => {
  it('puts the fields and each photo in the multipart form', () => {
    const photo = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'p.jpg', { type: 'image/jpeg' })
    const form = minutesForm(' 主题 ', '内容', [photo, photo])
    expect(form.get('topic')).toBe('主题')
    expect(form.getAll('photos')).toHaveLength(2)
  })

  it('sends with the token, refreshing it once on 401, and answers the minutes', async () => {
    const seen: (string | null)[] = []
    const send = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      if (String(url).endsWith('/auth/refresh')) {
        return json(200, { access_token: 'new', refresh_token: 'r2', expires_in: 600 })
      }
      seen.push(new Headers(init?.headers).get('Authorization'))
      expect(init?.method).toBe('PUT')
      expect(String(url)).toBe('/api/v1/meetings/mt-1/minutes')
      return seen.length === 1 ? json(401, { code: 'unauthenticated' }) : json(200, { topic: 't' })
    })
    const api = new ApiClient({
      tokens: new MemoryTokenStore({ access_token: 'old', refresh_token: 'r1', expires_in: 600 }),
      fetch: send as unknown as typeof fetch,
    })
    const found = await sendMinutes(api, 'mt-1', minutesForm('t', 'c', []), send as unknown as typeof fetch)
    expect(found.topic).toBe('t')
    expect(seen).toEqual(['Bearer old', 'Bearer new'])
  })

  it('turns a refusal into the problem', async () => {
    const send = vi.fn(async () => json(400, { detail: '第1张照片不是JPEG或PNG图片', status: 400 }))
    const api = new ApiClient({ tokens: new MemoryTokenStore(null), fetch: send as unknown as typeof fetch })
    await expect(
      sendMinutes(api, 'mt-1', minutesForm('t', 'c', []), send as unknown as typeof fetch),
    ).rejects.toBeInstanceOf(ApiProblem)
  })

  it('saves the photos one per request', async () => {
    const bodies: FormData[] = []
    const send = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(init?.body as FormData)
      return json(200, { topic: 't', photos: bodies.map((_, n) => ({ photo_id: `p${n}` })) })
    })
    const api = new ApiClient({ tokens: new MemoryTokenStore(null), fetch: send as unknown as typeof fetch })
    const photo = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'p.jpg', { type: 'image/jpeg' })
    const saved = await saveMinutes(api, 'mt-1', 't', 'c', [photo, photo, photo], send as unknown as typeof fetch)
    expect(bodies.map((b) => b.getAll('photos').length)).toEqual([1, 1, 1])
    expect(saved.photos).toHaveLength(3)
    bodies.length = 0
    await saveMinutes(api, 'mt-1', 't', 'c', [], send as unknown as typeof fetch)
    expect(bodies.map((b) => b.getAll('photos').length)).toEqual([0])
  })
})
