/**
 * A list read page by page from the server by cursor, for a table with 上一页 / 下一页
 * (`pages`) or a list that grows with 加载更多 (`more`). Only the answer of the latest request
 * is shown (an earlier one still on its way is cancelled), and a failure is kept as the
 * server's sentence for the page to show.
 */
import { ref, shallowRef } from 'vue'
import { useI18n } from 'vue-i18n'

import { errorMessage } from '@/shared/i18n'

import { CursorPages } from './cursorPages'
import type { Page } from './types'

export type FetchPage<T> = (
  cursor: string | undefined,
  limit: number,
  signal: AbortSignal,
) => Promise<Page<T>>

export interface PagedListOptions {
  /** items per request (the API takes 1-200) */
  limit?: number
  /** 'pages': one page shown at a time; 'more': each further page appended */
  mode?: 'pages' | 'more'
}

export function usePagedList<T>(fetchPage: FetchPage<T>, options: PagedListOptions = {}) {
  const { t } = useI18n()
  const mode = options.mode ?? 'pages'
  const pages = new CursorPages()
  const items = shallowRef<T[]>([])
  const loading = ref(false)
  const failure = ref('')
  /** the failure itself (an ApiProblem carries per-field messages for a search form) */
  const error = shallowRef<unknown>(null)
  const limit = ref(options.limit ?? 20)
  const number = ref(1)
  const hasNext = ref(false)
  const hasPrevious = ref(false)
  const loaded = ref(false)
  let inFlight: AbortController | null = null

  function sync() {
    number.value = pages.number
    hasNext.value = pages.hasNext
    hasPrevious.value = pages.hasPrevious
  }

  async function fetchAt(cursor: string | undefined, append: boolean) {
    inFlight?.abort()
    const controller = new AbortController()
    inFlight = controller
    loading.value = true
    failure.value = ''
    error.value = null
    try {
      const page = await fetchPage(cursor, limit.value, controller.signal)
      if (controller.signal.aborted) return
      items.value = append ? [...items.value, ...page.items] : page.items
      pages.answered(page.next_cursor)
      loaded.value = true
    } catch (problem) {
      if (controller.signal.aborted) return
      pages.undo()
      error.value = problem
      failure.value = errorMessage(problem, t)
    } finally {
      if (inFlight === controller) {
        inFlight = null
        loading.value = false
      }
      sync()
    }
  }

  /** The first page again (a new search, another organization, another page size). */
  function reload(): Promise<void> {
    pages.reset()
    if (mode === 'more') items.value = []
    return fetchAt(undefined, false)
  }

  function next(): Promise<void> {
    return fetchAt(pages.forward(), mode === 'more')
  }

  function previous(): Promise<void> {
    return fetchAt(pages.back(), false)
  }

  /** Nothing shown, nothing in flight (no organization chosen). */
  function clear() {
    inFlight?.abort()
    inFlight = null
    loading.value = false
    pages.reset()
    items.value = []
    failure.value = ''
    error.value = null
    loaded.value = false
    sync()
  }

  return {
    items,
    loading,
    failure,
    error,
    limit,
    number,
    hasNext,
    hasPrevious,
    loaded,
    reload,
    next,
    previous,
    clear,
  }
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>
