/** An organization's change history (GET /orgs/{id}/history) in words: each entry's action,
 * who took it, and what changed, field by field ({field: [before, after]}), in the person's
 * language through the page's `t`. */

export interface OrgHistoryEntry {
  change_id: string
  org_id: string
  at: string
  actor: { subject?: string; role?: string }
  action: string
  changes: Record<string, unknown>
}

type Translate = (key: string, named?: Record<string, unknown>) => string
type Has = (key: string) => boolean
/** an organization's name by its id (the id itself until it is known) */
type NameOf = (orgId: string) => string

/** Fields whose values are organization ids, shown by name. */
export const ORG_ID_FIELDS = ['parent_id', 'merged_into', 'into_org_id']

/** The organization ids an entry names (to ask their names once). */
export function orgIdsOf(entry: OrgHistoryEntry): string[] {
  return ORG_ID_FIELDS.flatMap((field) => {
    const value = entry.changes[field]
    return (Array.isArray(value) ? value : [value]).filter(
      (id): id is string => typeof id === 'string' && id !== '',
    )
  })
}

/** A value as a person reads it: tags by their names, lists joined, nothing as "无". */
export function describeValue(
  field: string,
  value: unknown,
  t: Translate,
  te: Has,
  nameOf: NameOf = (id) => id,
): string {
  if (value === null || value === undefined || value === '') return t('orgHistory.nothing')
  if (Array.isArray(value)) {
    if (value.length === 0) return t('orgHistory.nothing')
    return value.map((item) => describeValue(field, item, t, te, nameOf)).join('、')
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${label(key, t, te)} ${describeValue(key, inner, t, te, nameOf)}`)
      .join('，')
  }
  const text = String(value)
  if (field === 'tags' && te(`orgTags.${text}`)) return t(`orgTags.${text}`)
  if (field === 'kind' && te(`orgKinds.${text}`)) return t(`orgKinds.${text}`)
  if (ORG_ID_FIELDS.includes(field)) return nameOf(text)
  return text
}

function label(field: string, t: Translate, te: Has): string {
  return te(`orgHistory.fields.${field}`) ? t(`orgHistory.fields.${field}`) : field
}

/** Each change as "字段：前 → 后" (a value alone when the change is not a pair). */
export function describeChanges(
  entry: OrgHistoryEntry,
  t: Translate,
  te: Has,
  nameOf: NameOf = (id) => id,
): string[] {
  return Object.entries(entry.changes).map(([field, change]) => {
    const name = label(field, t, te)
    if (Array.isArray(change) && change.length === 2) {
      const [before, after] = change
      return t('orgHistory.change', {
        field: name,
        before: describeValue(field, before, t, te, nameOf),
        after: describeValue(field, after, t, te, nameOf),
      })
    }
    return `${name}：${describeValue(field, change, t, te, nameOf)}`
  })
}

/** The action's name ("移动"), or the code itself when the page does not know it. */
export function describeAction(entry: OrgHistoryEntry, t: Translate, te: Has): string {
  const key = `orgHistory.actions.${entry.action}`
  return te(key) ? t(key) : entry.action
}
