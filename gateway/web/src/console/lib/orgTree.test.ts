import { describe, expect, it, vi } from 'vitest'

import { fetchLevel, pathIds, treeItems } from './orgTree'
import type { OrgNode } from './types'

function org(id: string, hasChildren: boolean): OrgNode {
  return {
    org_id: id,
    parent_id: 'hj',
    name: `组织${id}`,
    kind: 'branch',
    tags: [],
    path: `/hj/${id}`,
    depth: 2,
    has_children: hasChildren,
    counts: { children: 0, orgs_below: 0, own_members: 3, members: 3 },
  }
}

describe('treeItems', () => {
  it('makes a leaf of an organization without children', () => {
    const items = treeItems({ items: [org('a', true), org('b', false)], next_cursor: null }, 'hj', '更多')
    expect(items.map((i) => [i.id, i.label, i.leaf])).toEqual([
      ['a', '组织a', false],
      ['b', '组织b', true],
    ])
  })

  it('ends a level that goes on with an item that fetches the rest', () => {
    const items = treeItems({ items: [org('a', false)], next_cursor: 'c2' }, 'hj', '加载更多')
    expect(items[1]).toEqual({
      id: 'more:hj:c2',
      label: '加载更多',
      leaf: true,
      org: null,
      more: { parentId: 'hj', cursor: 'c2' },
    })
    expect(treeItems({ items: [], next_cursor: 'r2' }, null, 'x')[0]?.id).toBe('more::r2')
  })
})

describe('fetchLevel', () => {
  it('asks for the roots or an organization’s children, by cursor', async () => {
    const get = vi.fn().mockResolvedValue({ items: [], next_cursor: null })
    const api = { get } as never
    await fetchLevel(api, null)
    await fetchLevel(api, 'hj-s01', 'c2', 50)
    expect(get.mock.calls).toEqual([
      ['/orgs/roots', { query: { limit: 100, cursor: undefined } }],
      ['/orgs/hj-s01/children', { query: { limit: 50, cursor: 'c2' } }],
    ])
  })
})

describe('pathIds', () => {
  it('names the organizations from the top down', () => {
    expect(pathIds('/hj/hj-s01/hj-s01-c01')).toEqual(['hj', 'hj-s01', 'hj-s01-c01'])
  })
})
