/** The 编辑组织 form as PATCH /orgs/{id} takes it (only what changed, with the version the
 * page read), and which organizations a move or a merge may go to. */
import type { Grid, OrgDetail } from './registers'

export const ORG_TAGS = [
  'two_new',
  'building',
  'village',
  'community',
  'enterprise',
  'school',
  'institution',
  'hospital',
  'temporary',
  'action',
] as const

/** Tags of a branch set up for a while (临时党支部, 行动支部): it has an end date. */
export const TEMPORARY_TAGS = ['temporary', 'action']

export function isTemporary(org: Pick<OrgDetail, 'tags'>): boolean {
  return org.tags.some((tag) => TEMPORARY_TAGS.includes(tag))
}

export interface OrgForm {
  name: string
  tags: string[]
  ends_on: string | null
  leader_id: string | null
  worker_ids: string[]
  households: number
}

export function orgForm(org: OrgDetail): OrgForm {
  return {
    name: org.name,
    tags: [...org.tags],
    ends_on: org.ends_on ?? null,
    leader_id: org.grid?.leader_id ?? null,
    worker_ids: [...(org.grid?.worker_ids ?? [])],
    households: org.grid?.households ?? 0,
  }
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i])

export interface OrgPatch {
  version: number
  name?: string
  tags?: string[]
  ends_on?: string | null
  grid?: Grid
}

/** What the form changes (null: nothing). An end date is kept only for a temporary branch. */
export function orgPatch(org: OrgDetail, form: OrgForm): OrgPatch | null {
  const patch: OrgPatch = { version: org.version ?? 0 }
  const name = form.name.trim()
  if (name !== org.name) patch.name = name
  if (!same(form.tags, org.tags)) patch.tags = [...form.tags]
  const endsOn = TEMPORARY_TAGS.some((tag) => form.tags.includes(tag)) ? form.ends_on : null
  if ((endsOn ?? null) !== (org.ends_on ?? null)) patch.ends_on = endsOn
  if (org.kind === 'grid') {
    const grid: Grid = {
      leader_id: form.leader_id,
      worker_ids: [...form.worker_ids],
      households: form.households,
    }
    const before = orgForm(org)
    if (
      grid.leader_id !== before.leader_id ||
      !same(grid.worker_ids, before.worker_ids) ||
      grid.households !== before.households
    ) {
      patch.grid = grid
    }
  }
  return Object.keys(patch).length > 1 ? patch : null
}

/** Why an organization cannot take `moving` (or its members, for a merge) under it: itself or
 * one of its own sub-organizations, dissolved, or already its parent (a move). */
export function targetProblem(
  moving: Pick<OrgDetail, 'org_id' | 'path' | 'parent_id'>,
  target: Pick<OrgDetail, 'org_id' | 'path'> & { dissolved_on?: string | null },
  kind: 'move' | 'merge',
): 'self' | 'below' | 'dissolved' | 'same_parent' | null {
  if (target.org_id === moving.org_id) return 'self'
  if (target.path.startsWith(`${moving.path}/`)) return 'below'
  if (target.dissolved_on) return 'dissolved'
  if (kind === 'move' && target.org_id === moving.parent_id) return 'same_parent'
  return null
}
