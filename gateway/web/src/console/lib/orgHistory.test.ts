import { describe, expect, it } from 'vitest'

import { describeAction, describeChanges, orgIdsOf, type OrgHistoryEntry } from './orgHistory'

const texts: Record<string, string> = {
  'orgHistory.nothing': '无',
  'orgHistory.change': '{field}：{before} → {after}',
  'orgHistory.fields.name': '名称',
  'orgHistory.fields.tags': '标签',
  'orgHistory.fields.households': '户数',
  'orgHistory.fields.parent_id': '上级组织',
  'orgHistory.actions.moved': '移动',
  'orgTags.temporary': '临时党支部',
  'orgTags.two_new': '两新组织',
}
const t = (key: string, named: Record<string, unknown> = {}) =>
  (texts[key] ?? key).replace(/\{(\w+)\}/g, (_m, name: string) => String(named[name]))
const te = (key: string) => key in texts

const entry = (action: string, changes: Record<string, unknown>): OrgHistoryEntry => ({
  change_id: 'c1',
  org_id: 'b01',
  at: '2026-01-05T09:00:00Z',
  actor: { subject: 'acc-1', role: 'org_admin' },
  action,
  changes,
})

describe('describeChanges', () => {
  it('words each field before and after, tags by name', () => {
    expect(
      describeChanges(
        entry('changed', { name: ['一支部', '第一支部'], tags: [['two_new'], ['two_new', 'temporary']] }),
        t,
        te,
      ),
    ).toEqual(['名称：一支部 → 第一支部', '标签：两新组织 → 两新组织、临时党支部'])
  })

  it('says 无 for nothing and words a grid field by field', () => {
    expect(
      describeChanges(entry('changed', { grid: [null, { households: 120 }] }), t, te),
    ).toEqual(['grid：无 → 户数 120'])
  })

  it('shows a value that is not a pair as it is', () => {
    expect(describeChanges(entry('moved', { to_path: '/hj/s02' }), t, te)).toEqual([
      'to_path：/hj/s02',
    ])
  })
})

describe('organizations by name', () => {
  it('names the organizations a change moves between', () => {
    const moved = entry('moved', { parent_id: ['s01', 's02'], path: ['/hj/s01/b', '/hj/s02/b'] })
    expect(orgIdsOf(moved)).toEqual(['s01', 's02'])
    const names: Record<string, string> = { s01: '一街道', s02: '二街道' }
    expect(describeChanges(moved, t, te, (id) => names[id] ?? id)[0]).toBe(
      '上级组织：一街道 → 二街道',
    )
  })
})

describe('describeAction', () => {
  it('names a known action and shows an unknown one by its code', () => {
    expect(describeAction(entry('moved', {}), t, te)).toBe('移动')
    expect(describeAction(entry('renamed', {}), t, te)).toBe('renamed')
  })
})
