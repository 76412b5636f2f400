import { describe, expect, it } from 'vitest'

import { genderContradicts, profileForm, profilePatch } from './memberForm'
import type { MemberProfile } from './registers'

const member: MemberProfile = {
  member_id: 'mb-1',
  org_id: 'b01',
  org_path: '/hj/b01',
  name_masked: '张*',
  gender: 'female',
  status: 'full',
  join_date: '2010-07-01',
  card_uid: null,
  id_number_masked: '1101**********002X',
  phone_masked: '138****0000',
  skills: ['法律'],
  birth_date: '1949-12-31',
  ethnicity: '汉族',
  duties: [],
  version: 7,
}

describe('profilePatch', () => {
  it('sends nothing when nothing changed', () => {
    expect(profilePatch(member, profileForm(member))).toBeNull()
    expect(profilePatch(member, { ...profileForm(member), skills: ['法律', ' '] })).toBeNull()
  })

  it('sends the changed fields with the version read', () => {
    const form = {
      ...profileForm(member),
      ethnicity: ' 回族 ',
      duties: ['支部书记'],
      address: ' 惠济区某路 1 号 ',
      grid_id: 'g01',
    }
    expect(profilePatch(member, form)).toEqual({
      version: 7,
      ethnicity: '回族',
      duties: ['支部书记'],
      address: '惠济区某路 1 号',
      grid_id: 'g01',
    })
  })

  it('clears an optional field', () => {
    expect(profilePatch(member, { ...profileForm(member), ethnicity: '' })).toEqual({
      version: 7,
      ethnicity: '',
    })
  })

  it('sends no version when the member was read without one', () => {
    const { version: _v, ...unversioned } = member
    expect(profilePatch(unversioned, { ...profileForm(member), ethnicity: '回族' })).toEqual({
      ethnicity: '回族',
    })
  })
})

describe('genderContradicts', () => {
  it('reads the gender digit the masked number shows', () => {
    expect(genderContradicts('1101**********002X', 'female')).toBe(false)
    expect(genderContradicts('1101**********002X', 'male')).toBe(true)
    expect(genderContradicts('1101**********001X', 'male')).toBe(false)
    expect(genderContradicts('****', 'male')).toBe(false)
  })
})
