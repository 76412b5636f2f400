import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { attendanceRate, mergeSignIns, Poller } from './liveAttendance'
import type { SignedIn } from './types'

function row(member: string, at = '2026-01-05T09:00:00Z', offline = false): SignedIn {
  return {
    member_id: member,
    name_masked: '王*明',
    org_path: '/hj/b01',
    checked_in_at: at,
    recorded_at: at,
    recorded_offline: offline,
  }
}

describe('mergeSignIns', () => {
  it('appends new members in the order recorded and names them', () => {
    const first = mergeSignIns([], [row('a'), row('b')])
    expect(first.rows.map((r) => r.member_id)).toEqual(['a', 'b'])
    expect(first.added).toEqual(['a', 'b'])
    const second = mergeSignIns(first.rows, [row('c')])
    expect(second.rows.map((r) => r.member_id)).toEqual(['a', 'b', 'c'])
    expect(second.added).toEqual(['c'])
  })

  it('keeps one row per member when the last seconds come again', () => {
    const first = mergeSignIns([], [row('a'), row('b', '2026-01-05T09:01:00Z')])
    const again = mergeSignIns(first.rows, [row('b', '2026-01-05T09:01:00Z', true), row('c')])
    expect(again.rows.map((r) => r.member_id)).toEqual(['a', 'b', 'c'])
    expect(again.rows[1]?.recorded_offline).toBe(true) // the newer copy
    expect(again.added).toEqual(['c'])
  })

  it('does not change the rows it was given', () => {
    const rows = [row('a')]
    mergeSignIns(rows, [row('b')])
    expect(rows).toHaveLength(1)
  })
})

describe('attendanceRate', () => {
  it('is the signed-in share of those expected, none when open to all', () => {
    expect(attendanceRate(3, 4)).toBe(75)
    expect(attendanceRate(0, 0)).toBe(0)
    expect(attendanceRate(5, 4)).toBe(100)
    expect(attendanceRate(3, null)).toBeNull()
  })
})

describe('Poller', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('asks now, then every interval, at once when more is waiting', async () => {
    const answers = [true, false, false]
    const fetch = vi.fn(async () => answers.shift() ?? false)
    const poller = new Poller(fetch, (more) => more, vi.fn(), 3000)
    poller.start()
    await vi.advanceTimersByTimeAsync(0)
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(2) // the first said more: asked again at once
    await vi.advanceTimersByTimeAsync(2999)
    expect(fetch).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(3)
    poller.stop()
    await vi.advanceTimersByTimeAsync(10000)
    expect(fetch).toHaveBeenCalledTimes(3)
    expect(poller.running).toBe(false)
  })

  it('drops an answer that arrives after a stop and cancels the request', async () => {
    let release: (value: string) => void = () => {}
    const signals: AbortSignal[] = []
    const fetch = vi.fn(
      (signal: AbortSignal) =>
        new Promise<string>((resolve) => {
          signals.push(signal)
          release = resolve
        }),
    )
    const apply = vi.fn(() => false)
    const poller = new Poller(fetch, apply, vi.fn(), 3000)
    poller.start()
    poller.stop()
    expect(signals[0]?.aborted).toBe(true)
    release('late')
    await vi.advanceTimersByTimeAsync(5000)
    expect(apply).not.toHaveBeenCalled()
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('starts once however often it is started, and again after a stop', async () => {
    const fetch = vi.fn(async () => 'x')
    const poller = new Poller(fetch, () => false, vi.fn(), 3000)
    poller.start()
    poller.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(1)
    poller.stop()
    poller.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('reports a failure and tries again after the interval', async () => {
    const fetch = vi.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue('ok')
    const onError = vi.fn()
    const apply = vi.fn(() => false)
    const poller = new Poller(fetch, apply, onError, 3000)
    poller.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(onError).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(3000)
    expect(apply).toHaveBeenCalledWith('ok')
    poller.stop()
  })
})
