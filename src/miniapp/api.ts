/** The page's only door to the server: JSON over /api/miniapp with the session token. */
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

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const token = storedSession()
  const response = await fetch(`/api/miniapp${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = (await response.json().catch(() => ({}))) as {
    error?: { code: string; message: string; details?: { field?: string } }
  }
  if (!response.ok)
    throw new ApiError(
      response.status,
      data.error?.code ?? 'internal',
      data.error?.message ?? response.statusText,
      data.error?.details?.field,
    )
  return data as T
}

/** Exchanges the launch credential for a session kept for this tab only. */
export async function signIn(credential: { initData: string } | { token: string }): Promise<void> {
  const { token } = await request<{ token: string }>('POST', '/session', credential)
  sessionStorage.setItem(SESSION_KEY, token)
}
