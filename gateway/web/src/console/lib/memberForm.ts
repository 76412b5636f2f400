/** The 编辑基本信息 form as PATCH /members/{id} takes it: the profile fields the lifecycle
 * service lets a secretary change (services/members/lifecycle/profile.py PROFILE_FIELDS), only
 * those changed, with the version the page read. The name, ID number and phone are not changed
 * here (a correction of identity goes through the roster). */
import type { MemberProfile } from './registers'

export const PROFILE_FIELDS = [
  'gender',
  'birth_date',
  'ethnicity',
  'education',
  'join_date',
  'work_unit',
  'duties',
  'skills',
  'address',
  'grid_id',
] as const
export type ProfileField = (typeof PROFILE_FIELDS)[number]

export const EDUCATIONS = [
  '研究生',
  '大学本科',
  '大学专科',
  '中专',
  '高中',
  '初中及以下',
] as const

export interface ProfileForm {
  gender: string
  birth_date: string
  ethnicity: string
  education: string
  join_date: string
  work_unit: string
  duties: string[]
  skills: string[]
  /** the home address in clear: empty keeps the stored one (only its masked form is shown) */
  address: string
  grid_id: string | null
}

export function profileForm(member: MemberProfile): ProfileForm {
  return {
    gender: member.gender,
    birth_date: member.birth_date ?? '',
    ethnicity: member.ethnicity ?? '',
    education: member.education ?? '',
    join_date: member.join_date,
    work_unit: member.work_unit ?? '',
    duties: [...(member.duties ?? [])],
    skills: [...member.skills],
    address: '',
    grid_id: member.grid_id ?? null,
  }
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** The changed fields with the version read (null: nothing changed). */
export function profilePatch(
  member: MemberProfile,
  form: ProfileForm,
): (Partial<Record<ProfileField, unknown>> & { version?: number }) | null {
  const before = profileForm(member)
  // the version read, when the answer carried it (without it the server takes the change
  // as it comes)
  const patch: Partial<Record<ProfileField, unknown>> & { version?: number } = {}
  for (const field of ['gender', 'birth_date', 'ethnicity', 'education', 'join_date', 'work_unit'] as const) {
    const value = (form[field] ?? '').trim()
    if (value !== before[field]) patch[field] = value
  }
  const duties = form.duties.map((d) => d.trim()).filter(Boolean)
  if (!sameList(duties, before.duties)) patch.duties = duties
  const skills = form.skills.map((s) => s.trim()).filter(Boolean)
  if (!sameList(skills, before.skills)) patch.skills = skills
  if (form.address.trim()) patch.address = form.address.trim()
  if ((form.grid_id || null) !== before.grid_id) patch.grid_id = form.grid_id || null
  if (Object.keys(patch).length === 0) return null
  if (member.version !== undefined) patch.version = member.version
  return patch
}

/** Whether a gender contradicts the ID number: its 17th character (odd: male, even: female)
 * is among the four a masked number shows. */
export function genderContradicts(idNumberMasked: string, gender: string): boolean {
  const digit = idNumberMasked.length === 18 ? idNumberMasked[16] : undefined
  if (!digit || !/[0-9]/.test(digit)) return false
  return (Number(digit) % 2 === 1 ? 'male' : 'female') !== gender
}
