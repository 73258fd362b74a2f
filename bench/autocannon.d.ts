// autocannon ships no types: only the part of its API that bench/run.ts uses.
declare module 'autocannon' {
  interface Request {
    method?: 'GET' | 'POST'
    path?: string
    headers?: Record<string, string>
    body?: string
    /** In workers mode, the path of a CommonJS module exporting the function. */
    setupRequest?: string
    /** Extra fields are passed on to setupRequest with the request. */
    [extra: string]: unknown
  }

  interface Options {
    url: string
    connections?: number
    duration?: number
    workers?: number
    warmup?: { connections?: number; duration?: number }
    requests?: Request[]
  }

  interface Histogram {
    average: number
    p50: number
    p99: number
    total: number
  }

  interface Result {
    requests: Histogram
    latency: Histogram
    non2xx: number
    errors: number
    timeouts: number
    statusCodeStats: Record<string, { count: number }>
  }

  export default function autocannon(options: Options): PromiseLike<Result>
}
