/**
 * Files to and from the API with the console's bearer token: a spreadsheet sent as
 * multipart/form-data (the ApiClient sends JSON only) and a file the API answers (a template,
 * a report, an export) saved by the browser. A 401 refreshes the token pair once through the
 * client and repeats the call, as the client's own calls do.
 */
import { API_PREFIX, type ApiClient, type Query } from '@/shared/api'
import { NetworkError, problemFrom } from '@/shared/problem'

type Fetch = typeof fetch

export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value))
  }
  const text = params.toString()
  return API_PREFIX + path + (text ? `?${text}` : '')
}

async function authorised(
  api: ApiClient,
  url: string,
  init: RequestInit,
  fetchImpl: Fetch,
): Promise<Response> {
  const call = async (token: string | undefined) => {
    const headers = new Headers(init.headers)
    if (token) headers.set('Authorization', `Bearer ${token}`)
    try {
      return await fetchImpl(url, { ...init, headers })
    } catch (error) {
      throw new NetworkError(`${init.method ?? 'GET'} ${url}: no answer`, { cause: error })
    }
  }
  const sentWith = api.tokens.get()
  let response = await call(sentWith?.access_token)
  if (response.status === 401 && sentWith?.refresh_token) {
    const current = api.tokens.get()
    const pair =
      current && current.access_token !== sentWith.access_token ? current : await api.refresh()
    response = await call(pair.access_token)
  }
  if (!response.ok) throw await problemFrom(response)
  return response
}

/** POST a file as the form field `field`; the answer's JSON. */
export async function uploadFile<T>(
  api: ApiClient,
  path: string,
  file: Blob & { name?: string },
  field = 'file',
  fetchImpl: Fetch = (input, init) => globalThis.fetch(input, init),
): Promise<T> {
  const body = new FormData()
  body.append(field, file, file.name ?? 'upload')
  const response = await authorised(
    api,
    apiUrl(path),
    { method: 'POST', body, headers: { Accept: 'application/json' } },
    fetchImpl,
  )
  return (await response.json()) as T
}

/** The file name of a Content-Disposition header (RFC 6266: filename* first), or null. */
export function dispositionName(header: string | null): string | null {
  if (!header) return null
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
  return plain?.[1]?.trim() || null
}

/** GET a file and have the browser save it (under the server's name, else `fallbackName`). */
export async function downloadFile(
  api: ApiClient,
  path: string,
  query: Query,
  fallbackName: string,
  fetchImpl: Fetch = (input, init) => globalThis.fetch(input, init),
): Promise<string> {
  const response = await authorised(api, apiUrl(path, query), { method: 'GET' }, fetchImpl)
  const name = dispositionName(response.headers.get('Content-Disposition')) ?? fallbackName
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
  return name
}
