/**
 * A list that grows at the bottom of a phone page (Vant's van-list: 加载更多 as the person
 * scrolls), read from the server by cursor one page at a time. A failed page is shown as the
 * server's sentence; tapping the list's error line asks for the same page again.
 */
import { ref, shallowRef } from 'vue'

import { useMemberError } from './member'

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export function useMoreList<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  const describe = useMemberError()
  const items = shallowRef<T[]>([])
  const loading = ref(false)
  const finished = ref(false)
  const error = ref(false)
  const failure = ref('')
  let cursor: string | undefined
  let generation = 0

  async function load() {
    const asked = generation
    loading.value = true
    try {
      const page = await fetchPage(cursor)
      if (asked !== generation) return
      items.value = [...items.value, ...page.items]
      cursor = page.next_cursor ?? undefined
      finished.value = page.next_cursor === null
      failure.value = ''
    } catch (cause) {
      if (asked !== generation) return
      error.value = true
      failure.value = describe(cause)
    } finally {
      if (asked === generation) loading.value = false
    }
  }

  /** From the first page again (another year). */
  function reset() {
    generation += 1
    cursor = undefined
    items.value = []
    finished.value = false
    error.value = false
    failure.value = ''
    loading.value = false
  }

  return { items, loading, finished, error, failure, load, reset }
}

export type MoreList<T> = ReturnType<typeof useMoreList<T>>
