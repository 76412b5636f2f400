/**
 * Chinese resident ID numbers (GB 11643-1999), checked in the page before the server sees them
 * (services/members/idcard.py is the server's copy of the rule): 6-digit area code, the birth
 * date (YYYYMMDD), a 3-digit sequence whose last digit is odd for men and even for women, and an
 * ISO 7064 MOD 11-2 check character ('0'-'9' or 'X').
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] // 2**(17 - i) mod 11
const CHECK = '10X98765432' // indexed by (weighted sum mod 11)
const SHAPE = /^[0-9]{17}[0-9X]$/

export type IdProblem = 'shape' | 'check_digit' | 'birth_date'

/** The check character for the first 17 digits. */
export function checkDigit(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new Error('17 digits expected')
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number)
  return CHECK[sum % 11] as string
}

function realDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

/** What is wrong with an ID number (null: nothing); a lower-case 'x' counts as 'X'. */
export function idNumberProblem(raw: string): IdProblem | null {
  const value = raw.trim().toUpperCase()
  if (!SHAPE.test(value)) return 'shape'
  if (checkDigit(value.slice(0, 17)) !== value[17]) return 'check_digit'
  const [y, m, d] = [value.slice(6, 10), value.slice(10, 12), value.slice(12, 14)].map(Number)
  if (!realDate(y as number, m as number, d as number)) return 'birth_date'
  return null
}

/** The birth date an ID number carries, as YYYY-MM-DD (null when the number is not valid). */
export function birthDateOf(raw: string): string | null {
  if (idNumberProblem(raw) !== null) return null
  const value = raw.trim()
  return `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`
}

/** The gender an ID number carries (its 17th digit: odd male, even female). */
export function genderOf(raw: string): 'male' | 'female' | null {
  if (idNumberProblem(raw) !== null) return null
  return Number(raw.trim()[16]) % 2 === 1 ? 'male' : 'female'
}

/** The same day `years` later (29 February in a year without one: 1 March), as the server
 * counts anniversaries. Dates are YYYY-MM-DD. */
export function yearsLater(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  if (m === 2 && d === 29 && !realDate(y + years, 2, 29)) return `${y + years}-03-01`
  return `${y + years}-${day.slice(5)}`
}

/** The day someone turns 18. */
export function eighteenthBirthday(birthDate: string): string {
  return yearsLater(birthDate, 18)
}

export type DateProblem = 'birth_mismatch' | 'join_future' | 'join_under_18'

/** The profile's dates against each other and the ID number, as the server checks them
 * (services/members/domain.py _check_dates): dates are YYYY-MM-DD, `today` likewise. */
export function dateProblems(
  idNumber: string,
  birthDate: string,
  joinDate: string,
  today: string,
): Partial<Record<'birth_date' | 'join_date', DateProblem>> {
  const out: Partial<Record<'birth_date' | 'join_date', DateProblem>> = {}
  const carried = birthDateOf(idNumber)
  if (carried && birthDate && carried !== birthDate) out.birth_date = 'birth_mismatch'
  if (joinDate && joinDate > today) out.join_date = 'join_future'
  else if (joinDate && birthDate && joinDate < eighteenthBirthday(birthDate)) {
    out.join_date = 'join_under_18'
  }
  return out
}
