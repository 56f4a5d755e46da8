import type { RpcLogHook } from './log'
import { requestLogEvent, responseLogEvent } from './log'
import { BodyTooLargeError, readBodyText, textExceeds, type RpcFetchBody } from './read-body'
import { RpcTransportError } from './transport-error'

/** What the client passes to `fetch`: a subset every fetch implementation accepts. */
export interface RpcFetchInit {
  method: 'POST'
  headers: Record<string, string>
  body: string
  signal: AbortSignal
}

/** The part of a fetch `Response` the client reads. */
export interface RpcFetchResponse {
  status: number
  statusText: string
  /**
   * Read chunk by chunk, so that an answer over the client's
   * `maxResponseBytes` is cut off there. A fetch without one is read with
   * `text()`, and its size is checked only once it is all in memory.
   */
  body?: RpcFetchBody | null
  /** Read for `Content-Length`: an answer declaring more than the limit is refused unread. */
  headers?: { get: (name: string) => string | null }
  text: () => Promise<string>
}

/** The global `fetch` fits this type; so do node-fetch, undici and test doubles. */
export type RpcFetch = (url: string, init: RpcFetchInit) => Promise<RpcFetchResponse>

export interface HttpPostOptions {
  fetch: RpcFetch
  headers: Record<string, string>
  /** Milliseconds for the whole exchange, body included; 0 for none. */
  timeout: number
  /** The largest answer body read, in bytes. */
  maxResponseBytes: number
  signal: AbortSignal | undefined
  log: RpcLogHook | undefined
}

export interface HttpAnswer {
  status: number
  statusText: string
  body: string
}

function describeCause (error: unknown): string {
  const cause = (error as { cause?: { code?: unknown, message?: unknown } } | undefined)?.cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return error instanceof Error ? error.message : String(error)
}

function declaredLength (response: RpcFetchResponse): number | undefined {
  const header = response.headers?.get('content-length')
  if (header === null || header === undefined || !/^\d+$/.test(header.trim())) return undefined
  return Number(header)
}

/** The body as text, never more than `limit` bytes of it; `BodyTooLargeError` beyond. */
async function readLimited (response: RpcFetchResponse, limit: number): Promise<string> {
  const body = response.body
  const declared = declaredLength(response)
  if (declared !== undefined && declared > limit) {
    // Refused unread: cancelling the body closes the connection instead of downloading it.
    const cancel = (body as { cancel?: unknown } | null | undefined)?.cancel
    if (typeof cancel === 'function') (cancel as () => Promise<void>).call(body).catch(() => {})
    throw new BodyTooLargeError(limit)
  }
  if (body !== undefined && body !== null) return await readBodyText(body, limit)
  const text = await response.text()
  if (textExceeds(text, limit)) throw new BodyTooLargeError(limit)
  return text
}

function isAborted (signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

/**
 * Sends one JSON text and reads the whole answer. Every failure to get an
 * answer becomes an `RpcTransportError`; what the answer means is decided by
 * the caller.
 */
export async function postJson (url: string, body: string, options: HttpPostOptions): Promise<HttpAnswer> {
  const { signal, timeout } = options
  if (signal?.aborted === true) {
    throw new RpcTransportError('aborted', `the call to ${url} was aborted before it was sent`, { cause: signal.reason })
  }
  options.log?.(requestLogEvent(body))
  const controller = new AbortController()
  let timedOut = false
  const timer = timeout > 0
    ? setTimeout(() => { timedOut = true; controller.abort() }, timeout)
    : undefined
  const forwardAbort = (): void => { controller.abort() }
  signal?.addEventListener('abort', forwardAbort, { once: true })

  let answer: HttpAnswer
  let response: RpcFetchResponse | undefined
  try {
    response = await options.fetch(url, {
      method: 'POST',
      headers: options.headers,
      body,
      signal: controller.signal
    })
    // Reading the body is part of the exchange: the timeout covers it too.
    answer = { status: response.status, statusText: response.statusText, body: await readLimited(response, options.maxResponseBytes) }
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      // Also ends the request, for a fetch whose body cannot be cancelled.
      controller.abort()
      throw new RpcTransportError('too-large', `${url} answered with more than ${error.limit} bytes (the client's maxResponseBytes)`, { status: response?.status, statusText: response?.statusText, cause: error })
    }
    if (timedOut) {
      throw new RpcTransportError('timeout', `no answer from ${url} within ${timeout} ms`, { cause: error })
    }
    // Read again: the early check narrowed the type, but the signal may have fired since.
    if (isAborted(signal)) {
      throw new RpcTransportError('aborted', `the call to ${url} was aborted`, { cause: signal?.reason })
    }
    throw new RpcTransportError('network', `could not reach ${url}: ${describeCause(error)}`, { cause: error })
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    signal?.removeEventListener('abort', forwardAbort)
  }
  // Outside the try: an exception in the log hook is the hook's, not a network failure.
  options.log?.(responseLogEvent(answer.body, answer.status, answer.statusText))
  return answer
}
