import { describe, expect, it } from 'vitest'

import { pollDelay, pollUntil } from './polling'

describe('pollUntil', () => {
  it('reads until the job is over and shows every answer', async () => {
    const states = ['running', 'running', 'done']
    const seen: string[] = []
    const last = await pollUntil(
      async () => states.shift() as string,
      (s) => s === 'running',
      (s) => seen.push(s),
      new AbortController().signal,
      () => 1,
    )
    expect(last).toBe('done')
    expect(seen).toEqual(['running', 'running', 'done'])
  })

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController()
    let reads = 0
    const polling = pollUntil(
      async () => {
        reads += 1
        if (reads === 2) controller.abort(new Error('left'))
        return 'running'
      },
      () => true,
      () => undefined,
      controller.signal,
      () => 1,
    )
    await expect(polling).rejects.toThrow('left')
    expect(reads).toBe(2)
  })

  it('ends with the error of a failed read', async () => {
    const polling = pollUntil(
      async () => {
        throw new Error('503')
      },
      () => true,
      () => undefined,
      new AbortController().signal,
    )
    await expect(polling).rejects.toThrow('503')
  })

  it('waits longer at first, then every two seconds', () => {
    expect([0, 1, 2, 3, 10].map(pollDelay)).toEqual([500, 1000, 2000, 2000, 2000])
  })
})
