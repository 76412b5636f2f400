/**
 * The API client of every page: fetch, a bearer access token, and one refresh on 401.
 *
 * - A call made with a token that the gateway refuses (401) refreshes the token pair once
 *   (POST /api/v1/auth/refresh {refresh_token} -> {access_token, refresh_token, expires_in}) and
 *   is repeated once with the new access token. Concurrent calls that meet a 401 share one
 *   refresh in flight; a call whose token was already replaced by another call's refresh is
 *   simply repeated with the current token.
 * - A refresh the gateway refuses signs the person out: the pair is dropped, `onSignedOut` is
 *   told, and the call fails with the original 401 problem. A refresh that cannot reach the
 *   gateway keeps the pair (the person is still signed in once the network is back).
 * - A pair without a refresh token (a kiosk's long-lived device token) is never refreshed.
 * - Every failure is an `ApiProblem` (problem details, with per-field errors) or a
 *   `NetworkError` (no answer at all, or no answer within `timeoutMs`).
 */
import { ApiProblem, NetworkError, problemFrom } from './problem'

export const API_PREFIX = '/api/v1'

export interface TokenPair {
  access_token: string
  refresh_token: string
  /** seconds the access token is valid for */
  expires_in: number
}

/** Where a page keeps its token pair (localStorage for the console and the phone pages). */
export interface TokenStore {
  get(): TokenPair | null
  set(pair: TokenPair | null): void
}

export class MemoryTokenStore implements TokenStore {
  private pair: TokenPair | null
  constructor(pair: TokenPair | null = null) {
    this.pair = pair
  }
  get(): TokenPair | null {
    return this.pair
  }
  set(pair: TokenPair | null): void {
    this.pair = pair
  }
}

export class LocalTokenStore implements TokenStore {
  constructor(private readonly key: string) {}
  get(): TokenPair | null {
    try {
      const text = localStorage.getItem(this.key)
      if (!text) return null
      const pair = JSON.parse(text) as Partial<TokenPair>
      if (typeof pair.access_token === 'string' && typeof pair.refresh_token === 'string') {
        return {
          access_token: pair.access_token,
          refresh_token: pair.refresh_token,
          expires_in: Number(pair.expires_in) || 0,
        }
      }
    } catch {
      // unreadable: treated as signed out
    }
    return null
  }
  set(pair: TokenPair | null): void {
    if (pair) localStorage.setItem(this.key, JSON.stringify(pair))
    else localStorage.removeItem(this.key)
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>

export interface RequestOptions {
  body?: unknown
  query?: Query
  /** send the bearer token and refresh it on 401 (false: sign-in and other public calls) */
  auth?: boolean
  signal?: AbortSignal
  /** overrides the client's timeout for this call */
  timeoutMs?: number
}

export interface ApiClientOptions {
  tokens: TokenStore
  baseUrl?: string
  fetch?: typeof fetch
  /** called once the refresh token has been refused: the person must sign in again */
  onSignedOut?: () => void
  /** a call without any answer within this time fails with NetworkError (0: no limit) */
  timeoutMs?: number
}

export class ApiClient {
  readonly tokens: TokenStore
  private readonly baseUrl: string
  private readonly fetchImpl: typeof fetch
  private readonly onSignedOut?: () => void
  private readonly timeoutMs: number
  private refreshing: Promise<TokenPair> | null = null

  constructor(options: ApiClientOptions) {
    this.tokens = options.tokens
    this.baseUrl = options.baseUrl ?? ''
    // bound: a bare `fetch` called as a method of another object throws "Illegal invocation"
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.onSignedOut = options.onSignedOut
    this.timeoutMs = options.timeoutMs ?? 15000
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options)
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body })
  }

  /** One call; a 401 on a call with a token refreshes the pair once and repeats the call. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true
    const sentWith = auth ? this.tokens.get() : null
    const response = await this.send(method, path, options, sentWith?.access_token)
    if (response.status === 401 && sentWith?.refresh_token) {
      const problem = await problemFrom(response)
      const current = this.tokens.get()
      let pair: TokenPair
      if (current && current.access_token !== sentWith.access_token) {
        pair = current // another call has refreshed meanwhile
      } else {
        try {
          pair = await this.refresh()
        } catch (error) {
          if (error instanceof NetworkError) throw error
          throw problem
        }
      }
      return this.parse<T>(await this.send(method, path, options, pair.access_token))
    }
    return this.parse<T>(response)
  }

  /** Exchange the refresh token for a new pair; concurrent callers share one request. */
  refresh(): Promise<TokenPair> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null
      })
    }
    return this.refreshing
  }

  private async doRefresh(): Promise<TokenPair> {
    const pair = this.tokens.get()
    if (!pair) {
      throw new ApiProblem(401, { code: 'unauthenticated' })
    }
    const response = await this.send('POST', '/auth/refresh', {
      body: { refresh_token: pair.refresh_token },
    })
    if (!response.ok) {
      const problem = await problemFrom(response)
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        this.tokens.set(null)
        this.onSignedOut?.()
      }
      throw problem
    }
    const fresh = (await response.json()) as TokenPair
    this.tokens.set(fresh)
    return fresh
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    accessToken?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    let body: string | undefined
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    const signals = [options.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined]
    const present = signals.filter((s): s is AbortSignal => s !== undefined)
    const signal = present.length > 1 ? AbortSignal.any(present) : present[0]
    try {
      return await this.fetchImpl(this.url(path, options.query), { method, headers, body, signal })
    } catch (error) {
      if (options.signal?.aborted) throw error // the caller cancelled: not a network failure
      throw new NetworkError(`${method} ${path}: no answer from the gateway`, { cause: error })
    }
  }

  private url(path: string, query?: Query): string {
    // an href the API gave (already under /api/v1) or a path relative to /api/v1
    const url = this.baseUrl + (path.startsWith(`${API_PREFIX}/`) ? path : API_PREFIX + path)
    if (!query) return url
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) params.set(key, String(value))
    }
    const text = params.toString()
    return text ? `${url}?${text}` : url
  }

  private async parse<T>(response: Response): Promise<T> {
    if (!response.ok) throw await problemFrom(response)
    if (response.status === 204 || response.status === 202) {
      const text = await response.text()
      return (text ? JSON.parse(text) : undefined) as T
    }
    return (await response.json()) as T
  }
}
