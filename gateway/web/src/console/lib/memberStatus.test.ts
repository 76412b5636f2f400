import { describe, expect, it } from 'vitest'

import { allowedTransitions, probationDueIn, statusTone } from './memberStatus'

describe('allowedTransitions', () => {
  it('confirms a probationary member and restores a suspended one', () => {
    expect(allowedTransitions('probationary')).toContain('full')
    expect(allowedTransitions('suspended')).toContain('full')
    expect(allowedTransitions('full')).not.toContain('full')
    expect(allowedTransitions('full')).not.toContain('probationary')
  })

  it('lets anyone in the register leave, and nobody come back from leaving', () => {
    for (const status of ['full', 'probationary', 'suspended']) {
      expect(allowedTransitions(status)).toEqual(
        expect.arrayContaining(['lapsed', 'withdrawn', 'expelled', 'deceased']),
      )
    }
    for (const status of ['lapsed', 'withdrawn', 'expelled', 'deceased', 'nonsense']) {
      expect(allowedTransitions(status)).toEqual([])
    }
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

describe('probationDueIn', () => {
  it('counts the days to the end of the probationary year', () => {
    expect(probationDueIn('probationary', '2025-03-01', '2026-02-20')).toBe(9)
    expect(probationDueIn('probationary', '2025-03-01', '2026-03-04')).toBe(-3)
    expect(probationDueIn('full', '2025-03-01', '2026-02-20')).toBeNull()
    expect(probationDueIn('probationary', null, '2026-02-20')).toBeNull()
  })
})
