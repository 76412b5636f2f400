import 'fake-indexeddb/auto'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { OfflineQueue, type QueuedSwipe, type ReplayOutcome } from './offlineQueue'

let queue: OfflineQueue
let dbCount = 0

beforeEach(async () => {
  dbCount += 1
  queue = await OfflineQueue.open(`kiosk-test-${dbCount}`)
})

afterEach(() => queue.close())

function swipe(n: number) {
  return {
    card_uid: `0000000${n}`,
    meeting_id: 'm-1',
    swiped_at: new Date(Date.UTC(2026, 0, 5, 9, 0, n)).toISOString(),
  }
}

describe('OfflineQueue', () => {
  it('keeps swipes with their time, oldest first, across a reopen', async () => {
    await queue.add(swipe(1))
    await queue.add(swipe(2))
    await queue.add(swipe(3))
    queue.close()
    queue = await OfflineQueue.open(`kiosk-test-${dbCount}`)
    expect(await queue.count()).toBe(3)
    const listed = await queue.list()
    expect(listed.map((s) => s.card_uid)).toEqual(['00000001', '00000002', '00000003'])
    expect(listed[0]).toMatchObject({ swiped_at: '2026-01-05T09:00:01.000Z', attempts: 0 })
  })

  it('replays in order with the original swipe time and empties the queue', async () => {
    for (const n of [1, 2, 3]) await queue.add(swipe(n))
    const seen: Array<[string, string]> = []
    const result = await queue.replay(async (s) => {
      seen.push([s.card_uid, s.swiped_at])
      return 'done'
    })
    expect(seen).toEqual([
      ['00000001', '2026-01-05T09:00:01.000Z'],
      ['00000002', '2026-01-05T09:00:02.000Z'],
      ['00000003', '2026-01-05T09:00:03.000Z'],
    ])
    expect(result).toEqual({ sent: 3, dropped: [], remaining: 0 })
    expect(await queue.count()).toBe(0)
  })

  it('stops at the first retry so that later swipes never overtake it', async () => {
    for (const n of [1, 2, 3]) await queue.add(swipe(n))
    const seen: string[] = []
    const outcomes: ReplayOutcome[] = ['done', 'retry', 'done']
    const result = await queue.replay(async (s) => {
      seen.push(s.card_uid)
      return outcomes[seen.length - 1] as ReplayOutcome
    })
    expect(seen).toEqual(['00000001', '00000002'])
    expect(result).toMatchObject({ sent: 1, remaining: 2 })
    const left = await queue.list()
    expect(left.map((s) => [s.card_uid, s.attempts])).toEqual([
      ['00000002', 1],
      ['00000003', 0],
    ])
  })

  it('a throwing sender keeps the swipe and records the error', async () => {
    await queue.add(swipe(1))
    const result = await queue.replay(async () => {
      throw new Error('no answer from the gateway')
    })
    expect(result).toMatchObject({ sent: 0, remaining: 1 })
    const [kept] = await queue.list()
    expect(kept).toMatchObject({ attempts: 1, last_error: 'no answer from the gateway' })
  })

  it('drops what the server refuses for good and goes on', async () => {
    for (const n of [1, 2, 3]) await queue.add(swipe(n))
    const result = await queue.replay(async (s) => (s.card_uid === '00000002' ? 'drop' : 'done'))
    expect(result.sent).toBe(2)
    expect(result.dropped.map((s) => s.card_uid)).toEqual(['00000002'])
    expect(result.remaining).toBe(0)
  })

  it('one replay at a time: a second call shares the running one', async () => {
    for (const n of [1, 2]) await queue.add(swipe(n))
    const sends: QueuedSwipe[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const sender = async (s: QueuedSwipe): Promise<ReplayOutcome> => {
      sends.push(s)
      await gate
      return 'done'
    }
    const first = queue.replay(sender)
    const second = queue.replay(sender)
    expect(second).toBe(first)
    release()
    expect(await first).toEqual({ sent: 2, dropped: [], remaining: 0 })
    expect(sends.map((s) => s.card_uid)).toEqual(['00000001', '00000002'])
  })

  it('a swipe queued during a replay is sent by the same replay, after the older ones', async () => {
    await queue.add(swipe(1))
    const seen: string[] = []
    const result = await queue.replay(async (s) => {
      seen.push(s.card_uid)
      if (s.card_uid === '00000001') await queue.add(swipe(2))
      return 'done'
    })
    expect(seen).toEqual(['00000001', '00000002'])
    expect(result.remaining).toBe(0)
  })
})
