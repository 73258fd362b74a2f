import type { components, paths } from './api-types.ts'

/** The shapes the server sends, by their OpenAPI names: the pages never copy them. */
export type Schemas = components['schemas']

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never
type Responses<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R } ? R : never

type Answered<P extends keyof paths, M extends Method> = Extract<keyof Responses<P, M>, 200 | 201>

/** What a successful call answers: the 200 or 201 body the route declares, or nothing (204). */
export type Ok<P extends keyof paths, M extends Method> = [Answered<P, M>] extends [never]
  ? undefined
  : Json<Responses<P, M>[Answered<P, M>]>
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never
type Query<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never
type PathParams<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { path: infer A } } ? A : never

interface Options<P extends keyof paths, M extends Method> {
  body?: Body<P, M>
  query?: Query<P, M>
  params?: PathParams<P, M>
  /**
   * A write that moves value carries a key, so that a retry is answered, not applied again:
   * true for a new one, or the key itself when a second tap must be the same request.
   */
  idempotent?: boolean | string
  /** A file sent as the body itself, with its own type (a reward's picture), instead of JSON. */
  file?: Blob
}

/** A refused call, with the server's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The field an `invalid_input` names, so a form can say which one. */
    readonly field?: string,
  ) {
    super(message)
  }
}

const SESSION_KEY = 'jifen.session'

export function storedSession(): string | null {
  return sessionStorage.getItem(SESSION_KEY)
}

/** Keeps a session for this tab only: the member's, or a staff member's in the console. */
export function keepSession(token: string): void {
  sessionStorage.setItem(SESSION_KEY, token)
}

export function endSession(): void {
  sessionStorage.removeItem(SESSION_KEY)
}

/** A path with its `{params}` filled in and its query, leaving out what is undefined. */
function urlOf(path: string, params: unknown, query: unknown): string {
  const url = path.replace(/\{(\w+)\}/g, (_, key: string) =>
    encodeURIComponent(String((params as Record<string, unknown>)[key])),
  )
  const search = new URLSearchParams(
    Object.entries((query ?? {}) as Record<string, unknown>)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  ).toString()
  return search ? `${url}?${search}` : url
}

/** The pages' only door to the server: JSON over /api with the session token. */
export async function call<P extends keyof paths, M extends Method>(
  method: M,
  path: P,
  options: Options<P, M> = {},
): Promise<Ok<P, M>> {
  const token = storedSession()
  const response = await fetch(urlOf(path, options.params, options.query), {
    method: method.toUpperCase(),
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.file ? { 'content-type': options.file.type || 'application/octet-stream' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.idempotent
        ? {
            'idempotency-key':
              options.idempotent === true ? crypto.randomUUID() : options.idempotent,
          }
        : {}),
    },
    body: options.file ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  })
  const data = (await response.json().catch(() => ({}))) as Partial<Schemas['Error']>
  if (!response.ok)
    throw new ApiError(
      response.status,
      data.error?.code ?? 'internal',
      data.error?.message ?? response.statusText,
      typeof data.error?.details?.field === 'string' ? data.error.details.field : undefined,
    )
  return data as Ok<P, M>
}

/**
 * Saves a file the server answers (a CSV export or report) under the name it gives. The session
 * is a bearer token, which a link cannot carry, so the file is fetched with it and handed to
 * the browser as an object URL, released once the download has taken it.
 */
export async function download<P extends keyof paths>(
  path: P,
  options: Pick<Options<P, 'get'>, 'params' | 'query'> = {},
): Promise<void> {
  const token = storedSession()
  const response = await fetch(urlOf(path, options.params, options.query), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
  if (!response.ok) {
    const data = (await response.json().catch(() => ({}))) as Partial<Schemas['Error']>
    throw new ApiError(
      response.status,
      data.error?.code ?? 'internal',
      data.error?.message ?? response.statusText,
    )
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1]
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = name ?? 'download.csv'
  link.click()
  URL.revokeObjectURL(link.href)
}

/** Exchanges the launch credential for a session kept for this tab only. */
export async function signIn(credential: Body<'/api/miniapp/session', 'post'>): Promise<void> {
  const { token } = await call('post', '/api/miniapp/session', { body: credential })
  keepSession(token)
}
