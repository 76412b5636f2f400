/** The shapes of the console's reads and of the calls its pages make (gateway/http_schemas*.py;
 * the OpenAPI document at /api/v1/openapi.json is the contract). */

/** A cursor-paginated list: `next_cursor` null on the last page. */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface OrgCounts {
  children: number
  orgs_below: number
  own_members: number
  members: number
}

export interface OrgNode {
  org_id: string
  parent_id: string | null
  name: string
  kind: string
  tags: string[]
  path: string
  depth: number
  has_children: boolean
  counts: OrgCounts
}

/** A member as every answer shows one: personal data masked. */
export interface Member {
  member_id: string
  org_id: string
  org_path: string
  name_masked: string
  gender: string
  status: string
  join_date: string
  card_uid: string | null
  id_number_masked: string
  phone_masked: string
  skills: string[]
}

/** The audited full read (GET /members/{id}/personal-data?reason=...). */
export interface PersonalData {
  member_id: string
  name: string
  id_number: string
  phone: string
}

export interface Meeting {
  meeting_id: string
  org_id: string
  org_path: string
  kind: string
  title: string
  starts_at: string
  opens_at: string
  closes_at: string
  invited_org_paths: string[]
  open_to_all: boolean
}

export interface MeetingSummary extends Meeting {
  /** null when the meeting is open to all */
  expected: number | null
  signed_in: number
}

/** A row of a meeting's live attendance (the member's name masked). */
export interface SignedIn {
  member_id: string
  name_masked: string
  org_path: string
  checked_in_at: string
  recorded_at: string | null
  recorded_offline: boolean
}

export interface LiveAttendance {
  meeting_id: string
  org_path: string
  title: string
  kind: string
  starts_at: string
  opens_at: string
  closes_at: string
  expected: number | null
  signed_in: number
  items: SignedIn[]
  next_cursor: string | null
  more: boolean
}

/** A member's sign-in at a meeting (GET /members/{id}/attendance). */
export interface MemberSignIn {
  meeting_id: string
  title: string
  kind: string
  starts_at: string
  org_id: string
  org_path: string
  checked_in_at: string
  recorded_offline: boolean
}

export interface Scorecard {
  member_id: string
  year: number
  total: number
  by_category: Record<string, number>
  counts: Record<string, number>
  requirement: Record<string, number>
  gaps: Record<string, number>
}

export interface PointsEntry {
  entry_id: string
  at: string
  category: string
  item: string
  points: number
  requested_points: number
  capped: boolean
  reason: string
  total_after: number
}

export interface InboxItem {
  message_id: string
  kind: string
  title: string
  body: string
  at: string
  read: boolean
}
