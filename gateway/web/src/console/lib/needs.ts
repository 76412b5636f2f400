/** Residents' needs as the API has them (GET/POST /api/v1/needs): statuses, categories, and
 * the form's rules, the same as the gateway's (NeedIn). */
import type { RoleName } from '@/shared/auth'

/** Who may record a need (gateway/access.py: record_need); every staff role may list them. */
export const NEED_RECORDERS: RoleName[] = [
  'county_operator',
  'org_admin',
  'grid_leader',
  'grid_worker',
  'community_worker',
]

export const NEED_CATEGORIES = [
  'elderly_care',
  'repair',
  'legal',
  'health',
  'education',
  'errand',
  'other',
] as const
export const NEED_STATUSES = ['open', 'claimed', 'in_progress', 'done', 'closed'] as const
export type NeedStatus = (typeof NEED_STATUSES)[number]
export const NEED_FILTERS = [...NEED_STATUSES, 'all'] as const

export interface Need {
  need_id: string
  grid_path: string
  title: string
  description: string
  category: string
  status: NeedStatus
  resident_name_masked: string
  resident_phone_masked: string | null
  recorded_by: string
  recorded_at: string
}

export const MOBILE = /^1[0-9]{10}$/

export const NEED_LIMITS = { title: 100, description: 2000, residentName: 50 } as const

export interface NeedDraft {
  grid_path: string
  category: string
  title: string
  description: string
  resident_name: string
  resident_phone: string
}

/** The body of POST /needs: text as typed (trimmed), an empty phone left out. */
export function needBody(draft: NeedDraft): Record<string, string | null> {
  const phone = draft.resident_phone.trim()
  return {
    grid_path: draft.grid_path,
    category: draft.category,
    title: draft.title.trim(),
    description: draft.description.trim(),
    resident_name: draft.resident_name.trim(),
    resident_phone: phone === '' ? null : phone,
  }
}

/** Element Plus tag colour per status. */
export function statusTag(status: string): 'danger' | 'warning' | 'primary' | 'success' | 'info' {
  switch (status) {
    case 'open':
      return 'danger'
    case 'claimed':
      return 'warning'
    case 'in_progress':
      return 'primary'
    case 'done':
      return 'success'
    default:
      return 'info'
  }
}
