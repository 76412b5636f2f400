import { describe, expect, it } from 'vitest'

import {
  allowedTransitions,
  isExtension,
  probationDueIn,
  probationEnd,
  statusTone,
} from './memberStatus'

describe('allowedTransitions', () => {
  it('confirms or extends a probation and restores a suspended member', () => {
    expect(allowedTransitions('probationary', 'branch_secretary')).toEqual(
      expect.arrayContaining(['full', 'probationary', 'suspended']),
    )
    expect(allowedTransitions('suspended', 'org_admin')).toEqual(
      expect.arrayContaining(['full', 'probationary']),
    )
    expect(allowedTransitions('full', 'org_admin')).not.toContain('full')
    expect(allowedTransitions('full', 'org_admin')).not.toContain('probationary')
    expect(isExtension('probationary', 'probationary')).toBe(true)
    expect(isExtension('full', 'probationary')).toBe(false)
  })

  it('lets anyone in the register leave', () => {
    for (const status of ['full', 'probationary', 'suspended']) {
      expect(allowedTransitions(status, 'branch_secretary')).toEqual(
        expect.arrayContaining(['lapsed', 'withdrawn', 'expelled', 'deceased']),
      )
    }
  })

  it('never changes a member transferred to another deployment by hand', () => {
    expect(allowedTransitions('transferred_out', 'county_operator')).toEqual([])
    expect(allowedTransitions('full', 'county_operator')).not.toContain('transferred_out')
  })

  it('brings a member who left back only by a county operator', () => {
    for (const status of ['lapsed', 'withdrawn', 'expelled', 'deceased']) {
      expect(allowedTransitions(status, 'org_admin')).toEqual([])
      expect(allowedTransitions(status, 'county_operator')).toEqual(['full', 'probationary'])
    }
    expect(allowedTransitions('nonsense', 'county_operator')).toEqual([])
  })
})

describe('statusTone', () => {
  it('colours each status', () => {
    expect(statusTone('full')).toBe('success')
    expect(statusTone('probationary')).toBe('warning')
    expect(statusTone('expelled')).toBe('danger')
    expect(statusTone('deceased')).toBe('info')
  })
})

describe('the probation', () => {
  it('ends a year after joining unless the record moved it', () => {
    expect(probationEnd('2025-03-01')).toBe('2026-03-01')
    expect(probationEnd('2024-02-29')).toBe('2025-03-01')
    expect(probationEnd('2025-03-01', '2026-06-01')).toBe('2026-06-01')
  })

  it('counts the days to its end', () => {
    const member = { status: 'probationary', join_date: '2025-03-01' }
    expect(probationDueIn(member, '2026-02-20')).toBe(9)
    expect(probationDueIn(member, '2026-03-04')).toBe(-3)
    expect(probationDueIn({ ...member, probation_ends: '2026-03-11' }, '2026-03-01')).toBe(10)
    expect(probationDueIn({ ...member, status: 'full' }, '2026-02-20')).toBeNull()
  })
})
