import type { JsonRpcId } from '../protocol/messages'
import { RpcError } from '../protocol/rpc-error'
import type { HttpAnswer } from './http-post'
import { RpcTransportError } from './transport-error'
import { hasOwn } from '../protocol/checks'

/** A response that is well-formed JSON-RPC; its id is not checked yet. */
export type DecodedResponse =
  | { ok: true, id: JsonRpcId | undefined, result: unknown }
  | { ok: false, id: JsonRpcId | undefined, error: RpcError }

const NOTHING = Symbol('no body')

function isSuccessStatus (status: number): boolean {
  return status >= 200 && status < 300
}

function describeStatus (answer: HttpAnswer): string {
  return answer.statusText === '' ? `HTTP ${answer.status}` : `HTTP ${answer.status} ${answer.statusText}`
}

function failure (kind: 'invalid-json' | 'invalid-response' | 'id-mismatch' | 'http-status', message: string, answer: HttpAnswer): RpcTransportError {
  return new RpcTransportError(kind, message, { status: answer.status, statusText: answer.statusText, body: answer.body })
}

/** An answer that is not JSON-RPC: blamed on the status when it is not 2xx, on the body otherwise. */
function notJsonRpc (answer: HttpAnswer, url: string, problem: string, kind: 'invalid-json' | 'invalid-response'): RpcTransportError {
  return isSuccessStatus(answer.status)
    ? failure(kind, `${url} answered ${describeStatus(answer)} with ${problem}`, answer)
    : failure('http-status', `${url} answered ${describeStatus(answer)} without a JSON-RPC response`, answer)
}

function parseBody (answer: HttpAnswer, url: string): unknown {
  if (answer.body.trim() === '') return NOTHING
  try {
    return JSON.parse(answer.body)
  } catch {
    throw notJsonRpc(answer, url, 'a body that is not JSON', 'invalid-json')
  }
}

/** Checks the shape the specification gives a response (section 5); undefined when it is not one. */
export function decodeResponse (value: unknown): DecodedResponse | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const response = value as Record<string, unknown>
  if (response.jsonrpc !== '2.0') return undefined
  const id = response.id
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') return undefined
  const hasResult = hasOwn(response, 'result')
  const hasError = hasOwn(response, 'error')
  if (hasResult === hasError) return undefined
  if (hasResult) return { ok: true, id: id as JsonRpcId | undefined, result: response.result }
  const error = response.error as Record<string, unknown> | null
  if (typeof error !== 'object' || error === null || !Number.isInteger(error.code) || typeof error.message !== 'string') {
    return undefined
  }
  return {
    ok: false,
    id: id as JsonRpcId | undefined,
    error: RpcError.fromObject({ code: error.code as number, message: error.message, data: error.data })
  }
}

function describeId (id: JsonRpcId | undefined): string {
  return id === undefined ? 'no id' : `id ${JSON.stringify(id)}`
}

/**
 * The answer to one call: its result, or a throw. An error with a null id is
 * the server saying it could not read the request (parse error, body too
 * large, wrong content type), so it is that call's error; any other id that
 * is not the one sent is a mismatch.
 */
export function settleCall (answer: HttpAnswer, url: string, id: JsonRpcId): unknown {
  const value = parseBody(answer, url)
  if (value === NOTHING) throw notJsonRpc(answer, url, 'no body, but a call is owed a response', 'invalid-response')
  const response = decodeResponse(value)
  if (response === undefined) throw notJsonRpc(answer, url, 'JSON that is not a JSON-RPC response', 'invalid-response')
  if (!response.ok && response.id === null) throw response.error
  if (response.id !== id) {
    throw failure('id-mismatch', `${url} answered the request with id ${JSON.stringify(id)} with a response that has ${describeId(response.id)}`, answer)
  }
  if (!response.ok) throw response.error
  return response.result
}

/** A notification is owed no answer; an error body still means the server refused it. */
export function settleNotification (answer: HttpAnswer, url: string): void {
  const accepted = isSuccessStatus(answer.status)
  let value: unknown
  try {
    value = parseBody(answer, url)
  } catch (error) {
    if (accepted) return
    throw error
  }
  const response = value === NOTHING ? undefined : decodeResponse(value)
  if (response !== undefined && !response.ok) throw response.error
  if (!accepted) throw failure('http-status', `${url} answered ${describeStatus(answer)} without a JSON-RPC response`, answer)
}

/**
 * The answers to a batch's calls, by id. A single error object instead of an
 * array is the server refusing the whole batch (too large, unreadable).
 */
export function settleBatch (answer: HttpAnswer, url: string, ids: readonly JsonRpcId[]): Map<JsonRpcId, DecodedResponse> {
  const value = parseBody(answer, url)
  const byId = new Map<JsonRpcId, DecodedResponse>()
  if (value === NOTHING) {
    if (ids.length === 0 && isSuccessStatus(answer.status)) return byId
    throw notJsonRpc(answer, url, 'no body, but the batch holds calls', 'invalid-response')
  }
  if (!Array.isArray(value)) {
    const response = decodeResponse(value)
    if (response !== undefined && !response.ok) throw response.error
    throw notJsonRpc(answer, url, 'something other than an array of responses to a batch', 'invalid-response')
  }
  const expected = new Set(ids)
  for (const element of value) {
    const response = decodeResponse(element)
    if (response === undefined) throw notJsonRpc(answer, url, 'a batch answer holding something other than JSON-RPC responses', 'invalid-response')
    const id = response.id
    if (id === undefined || id === null || !expected.has(id) || byId.has(id)) {
      const problem = id !== undefined && byId.has(id) ? `a second response with ${describeId(id)}` : `a response with ${describeId(id)}, which matches no call of the batch`
      throw failure('id-mismatch', `${url} answered a batch with ${problem}`, answer)
    }
    byId.set(id, response)
  }
  const missing = ids.filter(id => !byId.has(id))
  if (missing.length > 0) {
    throw failure('id-mismatch', `${url} answered a batch without responses for the ids ${JSON.stringify(missing)}`, answer)
  }
  return byId
}
