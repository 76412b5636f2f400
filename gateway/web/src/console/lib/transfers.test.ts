import { describe, expect, it } from 'vitest'

import {
  actionsFor,
  destination,
  incomingActions,
  issueBody,
  reminders,
  type IncomingTransfer,
  type Transfer,
} from './transfers'

function letter(over: Partial<Transfer> = {}): Transfer {
  return {
    transfer_id: 't1',
    letter_no: '2026-000001',
    member_id: 'mb-1',
    member_name_masked: '张*',
    member_status: 'full',
    from_org_id: 'b1',
    from_org_path: '/hj/b1',
    from_org_name: '第一党支部',
    to: { org_id: 'b3', org_path: '/hj/b3', org_name: '第三党支部', deployment: null },
    scope: 'within_city',
    reason: '工作调动',
    dues_paid_to: '2026-10',
    issued_on: '2026-11-23',
    valid_until: '2026-12-03',
    state: 'issued',
    replaces: null,
    replaced_by: null,
    closed_at: null,
    decline_reason: null,
    receipt_on: null,
    flags: { overdue: false, expiring: false, receipt_overdue: false },
    ...over,
  }
}

describe('transfer letters', () => {
  it('offers the receiver accept and decline while valid, decline only once past its end', () => {
    expect(actionsFor(letter(), 'incoming')).toEqual(['accept', 'decline'])
    const overdue = letter({ flags: { overdue: true, expiring: false, receipt_overdue: false } })
    expect(actionsFor(overdue, 'incoming')).toEqual(['decline'])
    expect(actionsFor(overdue, 'outgoing')).toEqual(['reissue', 'cancel'])
    expect(actionsFor(letter(), 'outgoing')).toEqual(['cancel'])
  })

  it('offers nothing on a closed letter or one answered by another deployment', () => {
    expect(actionsFor(letter({ state: 'accepted' }), 'incoming')).toEqual([])
    const elsewhere = letter({ to: { org_id: null, org_path: null, org_name: '某县某支部', deployment: 'zz' } })
    expect(actionsFor(elsewhere, 'incoming')).toEqual([])
    expect(destination(elsewhere)).toBe('某县某支部（zz）')
    expect(destination(letter())).toBe('第三党支部')
  })

  it('lists the reminders most urgent first', () => {
    const flags = { overdue: true, expiring: false, receipt_overdue: true }
    expect(reminders(letter({ flags }))).toEqual(['overdue', 'receipt_overdue'])
    expect(reminders(letter())).toEqual([])
  })

  it('sends only the destination fields of its kind, trimmed', () => {
    const form = {
      member_id: 'mb-1',
      elsewhere: false,
      to_org_id: 'b3',
      to_deployment: 'zz',
      to_org_name: 'x',
      scope: 'within_city' as const,
      reason: ' 工作调动 ',
    }
    expect(issueBody(form, 'r1')).toEqual({
      request_id: 'r1',
      member_id: 'mb-1',
      scope: 'within_city',
      reason: '工作调动',
      to_org_id: 'b3',
    })
    const away = issueBody({ ...form, elsewhere: true, to_org_name: ' 某支部 ' }, 'r2')
    expect(away.to_org_id).toBeUndefined()
    expect(away).toMatchObject({ to_deployment: 'zz', to_org_name: '某支部' })
  })
})

describe('letters from other deployments', () => {
  const received: IncomingTransfer = {
    key: 'county-a|2026-000001',
    from_deployment: 'county-a',
    letter_no: '2026-000001',
    from_org_id: 'b1',
    valid_until: '2026-12-20',
    to_org_name: 'b3',
    to_org_path: '/hj/b3',
    member_name_masked: '张*',
    state: 'issued',
    org_id: null,
    member_id: null,
    closed_on: null,
    decline_reason: null,
  }

  it('is accepted before its end only, declined while it waits', () => {
    expect(incomingActions(received, '2026-12-20')).toEqual(['accept', 'decline'])
    expect(incomingActions(received, '2026-12-21')).toEqual(['decline'])
    expect(incomingActions({ ...received, state: 'accepted' }, '2026-12-01')).toEqual([])
  })
})
