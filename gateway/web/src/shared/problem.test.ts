import { describe, expect, it } from 'vitest'

import { problemFrom, retryAfterSeconds } from './problem'

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-01-05T09:00:00Z')
    expect(retryAfterSeconds('60', now)).toBe(60)
    expect(retryAfterSeconds(' 0 ', now)).toBe(0)
    expect(retryAfterSeconds('Mon, 05 Jan 2026 09:01:30 GMT', now)).toBe(90)
    expect(retryAfterSeconds('Mon, 05 Jan 2026 08:00:00 GMT', now)).toBe(0) // already past
    expect(retryAfterSeconds(null, now)).toBeNull()
    expect(retryAfterSeconds('soon', now)).toBeNull()
    expect(retryAfterSeconds('-5', now)).toBeNull()
  })

  it('a 429 problem carries the wait the server asked for beside its message', async () => {
    const response = new Response(
      JSON.stringify({ status: 429, detail: '获取验证码过于频繁，请60秒后再试' }),
      { status: 429, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '60' } },
    )
    const problem = await problemFrom(response)
    expect(problem.retryAfter).toBe(60)
    expect(problem.detail).toBe('获取验证码过于频繁，请60秒后再试')
  })
})
