import { describe, expect, it } from 'vitest'

import { ApiProblem, NetworkError } from '@/shared/problem'

import { awaitPoints, isUnreachable, replayOutcome, type PointsAnswer } from './checkIn'

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

describe('awaitPoints', () => {
  const pending = { status: 'pending', points: null, category: null, total: null } as const
  const awarded = { status: 'awarded', points: 2, category: 'base', total: 12 } as const
  const noSleep = () => Promise.resolve()

  it('asks again while pending and returns the points once scoring has them', async () => {
    const answers: PointsAnswer[] = [pending, pending, awarded]
    let asked = 0
    const points = await awaitPoints(
      async () => answers[asked++] ?? awarded,
      () => true,
      [1, 1, 1, 1],
      noSleep,
    )
    expect(points).toEqual(awarded)
    expect(asked).toBe(3)
  })

  it('tries again after a failed fetch', async () => {
    let asked = 0
    const points = await awaitPoints(
      async () => {
        asked += 1
        if (asked === 1) throw new Error('network')
        return awarded
      },
      () => true,
      [1, 1],
      noSleep,
    )
    expect(points).toEqual(awarded)
  })

  it('gives up (null) when still pending at the end, or when the screen moved on', async () => {
    expect(await awaitPoints(async () => pending, () => true, [1, 1], noSleep)).toBeNull()
    let asked = 0
    const moved = await awaitPoints(
      async () => {
        asked += 1
        return pending
      },
      () => asked < 1,
      [1, 1, 1],
      noSleep,
    )
    expect(moved).toBeNull()
    expect(asked).toBe(1)
  })
})
