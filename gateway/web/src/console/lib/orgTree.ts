/** The organization tree read level by level (GET /orgs/roots, GET /orgs/{id}/children), each
 * level by cursor: a level longer than one page ends in a "more" item that fetches the rest. */
import type { ApiClient } from '@/shared/api'

import type { OrgNode, Page } from './types'

export const LEVEL_PAGE = 100

export interface OrgTreeItem {
  /** the org id, or a key of its own for a "more" item */
  id: string
  label: string
  leaf: boolean
  org: OrgNode | null
  /** set on the item that fetches the rest of a level */
  more: { parentId: string | null; cursor: string } | null
}

export function fetchLevel(
  api: ApiClient,
  parentId: string | null,
  cursor?: string,
  limit: number = LEVEL_PAGE,
): Promise<Page<OrgNode>> {
  const path = parentId === null ? '/orgs/roots' : `/orgs/${encodeURIComponent(parentId)}/children`
  return api.get<Page<OrgNode>>(path, { query: { limit, cursor } })
}

/** A level's page as tree items, with a "more" item last when the level goes on. */
export function treeItems(
  page: Page<OrgNode>,
  parentId: string | null,
  moreLabel: string,
): OrgTreeItem[] {
  const items: OrgTreeItem[] = page.items.map((org) => ({
    id: org.org_id,
    label: org.name,
    leaf: !org.has_children,
    org,
    more: null,
  }))
  if (page.next_cursor) {
    items.push({
      id: `more:${parentId ?? ''}:${page.next_cursor}`,
      label: moreLabel,
      leaf: true,
      org: null,
      more: { parentId, cursor: page.next_cursor },
    })
  }
  return items
}

/** The org ids from the top of a path down to the organization itself: "/hj/hj-s01" ->
 * ["hj", "hj-s01"] (an organization path is made of the ids above it). */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean)
}
