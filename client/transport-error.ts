/** What went wrong when no usable JSON-RPC answer came back. */
export type RpcTransportErrorKind =
  /** No HTTP answer at all: connection refused, reset, unknown host. */
  | 'network'
  /** No complete answer within the call's `timeout`. */
  | 'timeout'
  /** The caller's `AbortSignal` fired. */
  | 'aborted'
  /** An HTTP status that carried no JSON-RPC body (a proxy's 502, a 401 page). */
  | 'http-status'
  /** A successful HTTP status whose body is not JSON. */
  | 'invalid-json'
  /** JSON that is not a well-formed JSON-RPC response (or no body where one was owed). */
  | 'invalid-response'
  /** A response whose `id` is missing or is not the id of the request sent. */
  | 'id-mismatch'
  /** An answer (HTTP body or WebSocket message) over the client's `maxResponseBytes`; it was cut off, not read whole. */
  | 'too-large'
  /** The WebSocket closed (the server went away, the network dropped) while the call waited for its answer; it may or may not have run. */
  | 'connection-lost'

export interface RpcTransportErrorDetails {
  /** The HTTP status, when an answer arrived. */
  status?: number
  statusText?: string
  /** The start of the body received, when one arrived (at most 1000 characters). */
  body?: string
  cause?: unknown
}

const BODY_EXCERPT_LENGTH = 1000

/**
 * The call failed on the way: the server's answer (if any) is not a JSON-RPC
 * response to it. Distinct from `RpcError`, which is the server's own answer.
 */
export class RpcTransportError extends Error {
  readonly kind: RpcTransportErrorKind
  readonly status: number | undefined
  readonly statusText: string | undefined
  readonly body: string | undefined

  constructor (kind: RpcTransportErrorKind, message: string, details: RpcTransportErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'RpcTransportError'
    this.kind = kind
    this.status = details.status
    this.statusText = details.statusText
    this.body = details.body === undefined ? undefined : details.body.slice(0, BODY_EXCERPT_LENGTH)
  }
}
