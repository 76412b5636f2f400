import { describe, expect, it } from 'vitest'

import { ApiProblem, NetworkError } from '@/shared/problem'

import { isUnreachable, replayOutcome } from './checkIn'

describe('kiosk failure policy', () => {
  it.each([
    [new NetworkError('offline'), true],
    [new ApiProblem(503, { detail: '服务暂不可用' }), true],
    [new ApiProblem(502), true],
    [new ApiProblem(504), true],
    [new ApiProblem(404, { detail: '未登记的党员卡' }), false],
    [new ApiProblem(409), false],
    [new ApiProblem(401), false],
    [new Error('bug'), false],
  ])('%s unreachable: %s', (error, expected) => {
    expect(isUnreachable(error)).toBe(expected)
  })

  it.each([
    [null, 'done'],
    [new ApiProblem(404), 'drop'],
    [new ApiProblem(403), 'drop'],
    [new ApiProblem(409), 'drop'],
    [new ApiProblem(401), 'retry'],
    [new ApiProblem(400), 'retry'],
    [new ApiProblem(503), 'retry'],
    [new NetworkError('offline'), 'retry'],
  ])('replay failing with %s -> %s', (error, expected) => {
    expect(replayOutcome(error)).toBe(expected)
  })
})
