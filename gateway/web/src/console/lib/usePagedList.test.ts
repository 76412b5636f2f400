import { createApp, defineComponent, h } from 'vue'
import { createI18n } from 'vue-i18n'
import { describe, expect, it, vi } from 'vitest'

import { ApiProblem } from '@/shared/problem'

import type { Page } from './types'
import { usePagedList, type FetchPage } from './usePagedList'

/** Runs a composable inside a component (it asks for the page's i18n). */
function withSetup<T>(make: () => T): T {
  let made: T | undefined
  const app = createApp(
    defineComponent({
      setup() {
        made = make()
        return () => h('div')
      },
    }),
  )
  app.use(createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': {} } }))
  app.mount(document.createElement('div'))
  return made as T
}

const PAGES: Record<string, Page<string>> = {
  first: { items: ['a', 'b'], next_cursor: 'c2' },
  c2: { items: ['c', 'd'], next_cursor: 'c3' },
  c3: { items: ['e'], next_cursor: null },
}

function server(): FetchPage<string> {
  return vi.fn(async (cursor: string | undefined) => PAGES[cursor ?? 'first'] as Page<string>)
}

describe('usePagedList', () => {
  it('shows one page at a time, forward with the server’s cursor and back again', async () => {
    const fetchPage = server()
    const list = withSetup(() => usePagedList(fetchPage, { limit: 2 }))
    await list.reload()
    expect(list.items.value).toEqual(['a', 'b'])
    expect([list.number.value, list.hasPrevious.value, list.hasNext.value]).toEqual([1, false, true])
    await list.next()
    await list.next()
    expect(list.items.value).toEqual(['e'])
    expect([list.number.value, list.hasNext.value]).toEqual([3, false])
    await list.previous()
    expect(list.items.value).toEqual(['c', 'd'])
    expect(vi.mocked(fetchPage).mock.calls.map((call) => [call[0], call[1]])).toEqual([
      [undefined, 2],
      ['c2', 2],
      ['c3', 2],
      ['c2', 2],
    ])
  })

  it('appends each further page with 加载更多', async () => {
    const list = withSetup(() => usePagedList(server(), { mode: 'more' }))
    await list.reload()
    await list.next()
    expect(list.items.value).toEqual(['a', 'b', 'c', 'd'])
    await list.reload()
    expect(list.items.value).toEqual(['a', 'b'])
  })

  it('shows only the latest answer and cancels the earlier request', async () => {
    const signals: AbortSignal[] = []
    let releaseFirst: (page: Page<string>) => void = () => {}
    const fetchPage = vi.fn((_cursor: string | undefined, _limit: number, signal: AbortSignal) => {
      signals.push(signal)
      if (signals.length === 1) return new Promise<Page<string>>((r) => (releaseFirst = r))
      return Promise.resolve({ items: ['new'], next_cursor: null })
    })
    const list = withSetup(() => usePagedList(fetchPage))
    const first = list.reload()
    await list.reload()
    releaseFirst({ items: ['old'], next_cursor: 'x' })
    await first
    expect(signals[0]?.aborted).toBe(true)
    expect(list.items.value).toEqual(['new'])
    expect(list.hasNext.value).toBe(false)
    expect(list.loading.value).toBe(false)
  })

  it('stays on the page shown when the next one fails, with the server’s sentence', async () => {
    const problem = new ApiProblem(503, { detail: '服务暂不可用' })
    const fetchPage = vi
      .fn<FetchPage<string>>()
      .mockResolvedValueOnce(PAGES.first as Page<string>)
      .mockRejectedValueOnce(problem)
    const list = withSetup(() => usePagedList(fetchPage))
    await list.reload()
    await list.next()
    expect(list.items.value).toEqual(['a', 'b'])
    expect(list.number.value).toBe(1)
    expect(list.hasNext.value).toBe(true) // it may be asked for again
    expect(list.failure.value).toBe('服务暂不可用')
    expect(list.error.value).toBe(problem)
  })
})
