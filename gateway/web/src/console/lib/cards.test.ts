import { describe, expect, it } from 'vitest'

import { cardActions, cardUidOf } from './cards'

describe('cardUidOf', () => {
  it('makes what was typed canonical', () => {
    expect(cardUidOf(' 04a1b2c3 ')).toBe('04A1B2C3')
    expect(cardUidOf('04:a1:b2:c3')).toBe('04A1B2C3')
    expect(cardUidOf('0x04A1B2C3D5')).toBe('04A1B2C3D5')
  })

  it('refuses what is not a card UID', () => {
    expect(cardUidOf('')).toBeNull()
    expect(cardUidOf('04A1B2')).toBeNull() // 3 bytes
    expect(cardUidOf('04A1B2C')).toBeNull() // odd
    expect(cardUidOf('ZZZZZZZZ')).toBeNull()
    expect(cardUidOf('00000000')).toBeNull()
  })
})

describe('cardActions', () => {
  it("offers what the member's card allows", () => {
    expect(cardActions(null, null)).toEqual(['issue'])
    expect(cardActions(null, { state: 'returned' })).toEqual(['issue'])
    // a card given at registration has no record yet
    expect(cardActions('04A1B2C3', null)).toEqual(['lost', 'replace', 'return'])
    expect(cardActions('04A1B2C3', { state: 'issued' })).toEqual(['lost', 'replace', 'return'])
    expect(cardActions(null, { state: 'blocked', ended_reason: 'lost' })).toEqual(['replace'])
    expect(cardActions(null, { state: 'blocked', ended_reason: 'replaced' })).toEqual(['issue'])
  })
})
