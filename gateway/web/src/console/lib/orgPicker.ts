/** Choosing an organization in a form, level by level (the same reads as the tree: GET
 * /orgs/roots, then GET /orgs/{id}/children as each level is opened), and the names of the
 * organizations a list names by path, each asked for once (GET /orgs/{id}). */
import { reactive } from 'vue'

import type { ApiClient } from '@/shared/api'

import { fetchLevel, pathIds } from './orgTree'
import type { OrgNode } from './types'

/** A level of a picker holds this many pages at most (LEVEL_PAGE each). */
export const PICKER_PAGES = 10

export interface PickerOption {
  [key: string]: unknown
  org_id: string
  name: string
  leaf: boolean
  disabled: boolean
  org: OrgNode
}

/** A whole level (page after page, up to PICKER_PAGES) as picker options. `gridsOnly`: only
 * grids may be chosen (an organization with sub-organizations is opened instead). */
export async function pickerLevel(
  api: ApiClient,
  parentId: string | null,
  gridsOnly: boolean,
): Promise<PickerOption[]> {
  const options: PickerOption[] = []
  let cursor: string | undefined
  for (let page = 0; page < PICKER_PAGES; page += 1) {
    const answer = await fetchLevel(api, parentId, cursor)
    for (const org of answer.items) options.push(pickerOption(org, gridsOnly))
    if (!answer.next_cursor) break
    cursor = answer.next_cursor
  }
  return options
}

export function pickerOption(org: OrgNode, gridsOnly: boolean): PickerOption {
  const leaf = !org.has_children
  return {
    org_id: org.org_id,
    name: org.name,
    leaf,
    disabled: gridsOnly && leaf && org.kind !== 'grid',
    org,
  }
}

/** The last organization id of a path ("/hj/hj-s01" -> "hj-s01"). */
export function orgIdOf(path: string): string {
  return pathIds(path).pop() ?? path
}

const NAMES = new Map<string, Promise<string>>()

/** Names of organizations by id, fetched once per page load and shared by every list; an
 * organization that cannot be read is shown by its id. */
export function useOrgNames(api: ApiClient) {
  const names = reactive<Record<string, string>>({})

  function want(paths: Iterable<string | null | undefined>) {
    for (const path of paths) {
      if (!path) continue
      const id = orgIdOf(path)
      if (id in names) continue
      names[id] = ''
      let asked = NAMES.get(id)
      if (!asked) {
        asked = api.get<OrgNode>(`/orgs/${encodeURIComponent(id)}`).then(
          (org) => org.name,
          () => {
            NAMES.delete(id) // asked again by the next list
            return id
          },
        )
        NAMES.set(id, asked)
      }
      void asked.then((name) => {
        names[id] = name
      })
    }
  }

  /** The organization's name once known, its id until then. */
  function of(path: string | null | undefined): string {
    if (!path) return ''
    const id = orgIdOf(path)
    return names[id] || id
  }

  return { want, of }
}
