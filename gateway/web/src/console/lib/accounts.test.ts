import { describe, expect, it } from 'vitest'

import { accountState, grantableRoles, USERNAME, type StaffAccount } from './accounts'

const ACCOUNT: StaffAccount = {
  account_id: 'ac-1',
  username: 'li.shuji',
  display_name: '李书记',
  roles: [{ role: 'branch_secretary', org_id: 'b01', scope: '/hj/b01' }],
  member_id: null,
  org_path: '/hj/b01',
  enabled: true,
  must_change_password: false,
  locked_until: null,
  created_at: '2026-01-05T09:00:00Z',
  last_sign_in_at: null,
}

describe('accounts', () => {
  it('an organization admin cannot give the county operator role', () => {
    expect(grantableRoles(['org_admin'])).not.toContain('county_operator')
    expect(grantableRoles(['org_admin'])).toContain('org_admin')
    expect(grantableRoles(['county_operator'])).toContain('county_operator')
  })

  it('usernames follow the gateway', () => {
    expect(USERNAME.test('li.shuji')).toBe(true)
    expect(USERNAME.test('ab')).toBe(false)
    expect(USERNAME.test('.abc')).toBe(false)
    expect(USERNAME.test('王书记')).toBe(false)
  })

  it('says disabled, locked while it lasts, and a password change due', () => {
    const now = Date.parse('2026-01-05T10:00:00Z')
    expect(accountState(ACCOUNT, now)).toEqual([{ key: 'enabled' }])
    const locked = { ...ACCOUNT, locked_until: '2026-01-05T10:15:00Z', must_change_password: true }
    expect(accountState(locked, now)).toEqual([
      { key: 'enabled' },
      { key: 'lockedUntil', until: '2026-01-05T10:15:00Z' },
      { key: 'mustChange' },
    ])
    const lapsed = { ...ACCOUNT, enabled: false, locked_until: '2026-01-05T09:15:00Z' }
    expect(accountState(lapsed, now)).toEqual([{ key: 'disabled' }])
  })
})
