import { describe, expect, it } from 'vitest'

import {
  birthDateOf,
  checkDigit,
  dateProblems,
  eighteenthBirthday,
  genderOf,
  idNumberProblem,
} from './idNumber'

// the GB 11643-1999 standard's own example
const SAMPLE = '11010519491231002X'

describe('idNumberProblem', () => {
  it('accepts a number with the right check character, x in either case', () => {
    expect(checkDigit(SAMPLE.slice(0, 17))).toBe('X')
    expect(idNumberProblem(SAMPLE)).toBeNull()
    expect(idNumberProblem(SAMPLE.toLowerCase())).toBeNull()
    expect(idNumberProblem(` ${SAMPLE} `)).toBeNull()
  })

  it('names what is wrong', () => {
    expect(idNumberProblem('1101051949123100')).toBe('shape')
    expect(idNumberProblem('11010519491231002A')).toBe('shape')
    expect(idNumberProblem('110105194912310021')).toBe('check_digit')
    // 31 February, with its own correct check character
    const first17 = '11010519490231002'
    expect(idNumberProblem(first17 + checkDigit(first17))).toBe('birth_date')
  })
})

describe('what a number carries', () => {
  it('gives the birth date and the gender (17th digit even: female)', () => {
    expect(birthDateOf(SAMPLE)).toBe('1949-12-31')
    expect(genderOf(SAMPLE)).toBe('female')
    const male = '11010519800101001'
    expect(genderOf(male + checkDigit(male))).toBe('male')
    expect(birthDateOf('bad')).toBeNull()
    expect(genderOf('bad')).toBeNull()
  })
})

describe('dateProblems', () => {
  it('finds a birth date that differs from the number', () => {
    expect(dateProblems(SAMPLE, '1949-12-30', '1970-01-01', '2026-01-01')).toEqual({
      birth_date: 'birth_mismatch',
    })
    expect(dateProblems(SAMPLE, '1949-12-31', '1970-01-01', '2026-01-01')).toEqual({})
  })

  it('refuses a join date in the future or before 18', () => {
    expect(dateProblems(SAMPLE, '1949-12-31', '2026-01-02', '2026-01-01').join_date).toBe(
      'join_future',
    )
    expect(dateProblems(SAMPLE, '1949-12-31', '1967-12-30', '2026-01-01').join_date).toBe(
      'join_under_18',
    )
    expect(dateProblems(SAMPLE, '1949-12-31', '1967-12-31', '2026-01-01')).toEqual({})
  })

  it('counts 29 February births as the server does', () => {
    expect(eighteenthBirthday('2000-02-29')).toBe('2018-03-01')
    expect(eighteenthBirthday('1996-02-29')).toBe('2014-03-01')
    expect(eighteenthBirthday('1990-05-06')).toBe('2008-05-06')
  })
})
