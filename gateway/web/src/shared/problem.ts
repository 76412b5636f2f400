/**
 * RFC 9457 problem details as the gateway answers them (application/problem+json):
 * `type`, `title`, `status`, `detail` (a Chinese sentence for the person), `code` (the problem's
 * short name) and, for validation failures, `errors` ({"field": ["message", ...]}, nested fields
 * as dotted keys, "_schema" for the body as a whole).
 */

export interface ProblemBody {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  errors?: Record<string, string[]>
}

export type FieldErrors = Record<string, string[]>

/** An answer of the API that is not a success, parsed from its problem details. */
export class ApiProblem extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  /** The server's message for the person (Chinese); empty when the answer carried none. */
  readonly detail: string
  readonly type: string
  readonly fieldErrors: FieldErrors
  /** Seconds to wait before trying again (the Retry-After header of a 429 or 423), or null. */
  readonly retryAfter: number | null

  constructor(status: number, body: ProblemBody = {}, retryAfter: number | null = null) {
    super(body.detail || body.title || `HTTP ${status}`)
    this.name = 'ApiProblem'
    this.status = status
    this.code = body.code ?? ''
    this.title = body.title ?? ''
    this.detail = body.detail ?? ''
    this.type = body.type ?? 'about:blank'
    this.fieldErrors = body.errors ?? {}
    this.retryAfter = retryAfter
  }

  /** The server's messages for one field, joined for display next to it (undefined: none). */
  fieldMessage(field: string): string | undefined {
    const messages = this.fieldErrors[field]
    return messages && messages.length > 0 ? messages.join('；') : undefined
  }

  /** Messages for the body as a whole, or for fields the form does not show. */
  otherMessages(shownFields: readonly string[]): string[] {
    return Object.entries(this.fieldErrors)
      .filter(([field]) => !shownFields.includes(field))
      .flatMap(([, messages]) => messages)
  }
}

/** The gateway could not be reached at all (no answer: connection refused, offline, timeout). */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetworkError'
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/** Only the fields of the documented shape, each of the documented type (a proxy's HTML error
 * page or a malformed body gives an ApiProblem with the status alone). */
export function parseProblemBody(data: unknown): ProblemBody {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return {}
  }
  const raw = data as Record<string, unknown>
  const body: ProblemBody = {}
  for (const key of ['type', 'title', 'detail', 'code'] as const) {
    const value = raw[key]
    if (typeof value === 'string') body[key] = value
  }
  if (typeof raw.status === 'number') body.status = raw.status
  if (typeof raw.errors === 'object' && raw.errors !== null && !Array.isArray(raw.errors)) {
    const errors: FieldErrors = {}
    for (const [field, messages] of Object.entries(raw.errors as Record<string, unknown>)) {
      if (isStringArray(messages)) errors[field] = messages
      else if (typeof messages === 'string') errors[field] = [messages]
    }
    body.errors = errors
  }
  return body
}

/** The problem of a response that is not ok (its body read as JSON when it is JSON). */
export async function problemFrom(response: Response): Promise<ApiProblem> {
  const type = response.headers.get('Content-Type') ?? ''
  let body: ProblemBody = {}
  if (type.includes('json')) {
    try {
      body = parseProblemBody(await response.json())
    } catch {
      body = {}
    }
  }
  return new ApiProblem(response.status, body, retryAfterSeconds(response.headers.get('Retry-After')))
}

/** Retry-After as seconds: a number of seconds, or an HTTP date (null when absent or unreadable). */
export function retryAfterSeconds(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null
  const text = value.trim()
  if (/^[0-9]+$/.test(text)) return Number(text)
  const at = /^[A-Za-z]{3}, /.test(text) ? Date.parse(text) : Number.NaN // an HTTP date
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000))
}
