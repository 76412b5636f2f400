/** Transfer letters (组织关系转接) as the API has them (/api/v1/transfers), and the page's logic:
 * what a letter's state and flags show, which actions each side has, the issue form's body. */

export type TransferState = 'issued' | 'accepted' | 'declined' | 'cancelled' | 'expired'
export type TransferScope = 'within_city' | 'outside_city'
export type Direction = 'outgoing' | 'incoming'

export interface TransferFlags {
  overdue: boolean
  expiring: boolean
  receipt_overdue: boolean
}

export interface Transfer {
  transfer_id: string
  letter_no: string
  member_id: string
  member_name_masked: string
  member_status: string
  from_org_id: string
  from_org_path: string
  from_org_name: string
  to: { org_id: string | null; org_path: string | null; org_name: string; deployment: string | null }
  scope: TransferScope
  reason: string
  dues_paid_to: string | null
  issued_on: string
  valid_until: string
  state: TransferState
  replaces: string | null
  replaced_by: string | null
  closed_at: string | null
  decline_reason: string | null
  receipt_on: string | null
  flags: TransferFlags
}

export const STATE_TAGS: Record<TransferState, 'primary' | 'success' | 'danger' | 'info' | 'warning'> = {
  issued: 'primary',
  accepted: 'success',
  declined: 'danger',
  cancelled: 'info',
  expired: 'warning',
}

/** The reminders a letter carries, most urgent first (message keys under transfers.flags). */
export function reminders(transfer: Transfer): (keyof TransferFlags)[] {
  const order: (keyof TransferFlags)[] = ['overdue', 'expiring', 'receipt_overdue']
  return order.filter((key) => transfer.flags[key])
}

export type Action = 'accept' | 'decline' | 'cancel' | 'reissue'

/** What the side looking at a letter may do with it: the receiver accepts (while valid) or
 * declines a letter of this deployment; the sender cancels a waiting one or re-issues it once
 * past its end. */
export function actionsFor(transfer: Transfer, direction: Direction): Action[] {
  if (transfer.state !== 'issued') return []
  if (direction === 'incoming') {
    if (transfer.to.deployment) return []
    return transfer.flags.overdue ? ['decline'] : ['accept', 'decline']
  }
  return transfer.flags.overdue ? ['reissue', 'cancel'] : ['cancel']
}

/** Where the letter sends the member: the organization's name, with the other deployment's id
 * when it lies elsewhere. */
export function destination(transfer: Transfer): string {
  const name = transfer.to.org_name || transfer.to.org_id || ''
  return transfer.to.deployment ? `${name}（${transfer.to.deployment}）` : name
}

export interface IssueForm {
  member_id: string
  elsewhere: boolean
  to_org_id: string
  to_deployment: string
  to_org_name: string
  scope: TransferScope
  reason: string
}

/** A new request id: the same letter answers when the same request is sent again. */
export function newRequestId(): string {
  return crypto.randomUUID().replaceAll('-', '')
}

/** The body of POST /transfers from the form (only the destination's fields of its kind). */
export function issueBody(form: IssueForm, requestId: string): Record<string, string> {
  const body: Record<string, string> = {
    request_id: requestId,
    member_id: form.member_id,
    scope: form.scope,
    reason: form.reason.trim(),
  }
  if (form.elsewhere) {
    body.to_deployment = form.to_deployment.trim()
    body.to_org_name = form.to_org_name.trim()
  } else {
    body.to_org_id = form.to_org_id
  }
  return body
}

/** Days a letter stays valid from issue (the service decides; shown in the form as a hint). */
export const VALIDITY_HINT: Record<TransferScope, number> = { within_city: 10, outside_city: 30 }

/** A letter from another deployment, as this one received it (/transfers/from-deployments). */
export interface IncomingTransfer {
  key: string
  from_deployment: string
  letter_no: string
  from_org_id: string
  valid_until: string
  to_org_name: string
  to_org_path: string | null
  member_name_masked: string
  state: TransferState
  org_id: string | null
  member_id: string | null
  closed_on: string | null
  decline_reason: string | null
}

/** A received letter can be answered while it waits and, to accept it, before its end. */
export function incomingActions(letter: IncomingTransfer, today: string): ('accept' | 'decline')[] {
  if (letter.state !== 'issued') return []
  return letter.valid_until >= today ? ['accept', 'decline'] : ['decline']
}
