import { describe, expect, it } from 'vitest'

import { isTemporary, orgForm, orgPatch, targetProblem } from './orgForms'
import type { OrgDetail } from './registers'

const org = (extra: Partial<OrgDetail> = {}): OrgDetail => ({
  org_id: 'b01',
  parent_id: 's01',
  name: '第一支部',
  kind: 'branch',
  tags: ['two_new'],
  path: '/hj/s01/b01',
  depth: 3,
  has_children: false,
  counts: { children: 0, orgs_below: 0, own_members: 3, members: 3 },
  version: 4,
  ...extra,
})

describe('orgPatch', () => {
  it('sends nothing when nothing changed', () => {
    expect(orgPatch(org(), orgForm(org()))).toBeNull()
    expect(orgPatch(org(), { ...orgForm(org()), name: ' 第一支部 ' })).toBeNull()
  })

  it('sends what changed with the version read', () => {
    const form = { ...orgForm(org()), name: '第一党支部', tags: ['two_new', 'temporary'] }
    expect(orgPatch(org(), { ...form, ends_on: '2026-12-31' })).toEqual({
      version: 4,
      name: '第一党支部',
      tags: ['two_new', 'temporary'],
      ends_on: '2026-12-31',
    })
  })

  it('drops the end date of a branch that is no longer temporary', () => {
    const temporary = org({ tags: ['temporary'], ends_on: '2026-12-31' })
    expect(isTemporary(temporary)).toBe(true)
    expect(orgPatch(temporary, { ...orgForm(temporary), tags: [] })).toEqual({
      version: 4,
      tags: [],
      ends_on: null,
    })
  })

  it('sends a grid whole when any of it changed', () => {
    const grid = org({
      kind: 'grid',
      tags: [],
      grid: { leader_id: 'mb-1', worker_ids: ['mb-2'], households: 120 },
    })
    expect(orgPatch(grid, orgForm(grid))).toBeNull()
    expect(orgPatch(grid, { ...orgForm(grid), households: 130 })).toEqual({
      version: 4,
      grid: { leader_id: 'mb-1', worker_ids: ['mb-2'], households: 130 },
    })
    // a branch has no grid to send
    expect(orgPatch(org(), { ...orgForm(org()), households: 9 })).toBeNull()
  })
})

describe('targetProblem', () => {
  const moving = org({ org_id: 's02', parent_id: 'hj', path: '/hj/s02' })
  it('refuses the organization itself, its subtree, a dissolved one and its own parent', () => {
    expect(targetProblem(moving, { org_id: 's02', path: '/hj/s02' }, 'move')).toBe('self')
    expect(targetProblem(moving, { org_id: 'b9', path: '/hj/s02/b9' }, 'move')).toBe('below')
    expect(
      targetProblem(moving, { org_id: 's9', path: '/hj/s9', dissolved_on: '2026-01-01' }, 'move'),
    ).toBe('dissolved')
    expect(targetProblem(moving, { org_id: 'hj', path: '/hj' }, 'move')).toBe('same_parent')
    expect(targetProblem(moving, { org_id: 'hj', path: '/hj' }, 'merge')).toBeNull()
    // a sibling whose id starts like it is not below it
    expect(targetProblem(moving, { org_id: 's021', path: '/hj/s021' }, 'move')).toBeNull()
  })
})
