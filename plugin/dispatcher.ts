import { CALL_TIMEOUT, INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, STANDARD_MESSAGES } from '../protocol/error-codes'
import type { JsonRpcErrorObject, JsonRpcId } from '../protocol/messages'
import { RpcError } from '../protocol/rpc-error'
import { createJsonBodyParser, type JsonBodyOptions } from './json-body'
import { bindParams } from './params-binding'
import type { RpcMethodEntry, RpcRegistry } from './registry'
import { errorJson, successJson } from './responses'

/** The slice of a pino / Fastify logger the engine uses. */
export interface RpcLogger {
  error: (obj: object, msg: string) => void
  debug: (obj: object, msg: string) => void
}

/** What a transport knows about the request that carried the message. */
export interface DispatchContext {
  log: RpcLogger
  /** Log every call at debug level; a transport decides it once per request. */
  logCalls: boolean
}

export interface DispatchResult {
  /** The JSON text to send, or undefined when nothing is owed (notifications only). */
  body: string | undefined
  /** True when the body is a batch response array. */
  batch: boolean
  /** For a single response that is an error, its code; otherwise 0. */
  errorCode: number
}

export interface DispatcherOptions {
  /** Most elements accepted in one batch. */
  maxBatchSize: number
  /** Most calls of one batch running at the same time. */
  batchConcurrency: number
  jsonBody: JsonBodyOptions
}

export interface Dispatcher {
  /** Handles a raw body: parse errors become -32700 responses. */
  dispatchText: (text: string, context: DispatchContext) => Promise<DispatchResult>
  /** Handles an already-parsed message (a request object or a batch array). */
  dispatch: (message: unknown, context: DispatchContext) => Promise<DispatchResult>
}

interface CallOutcome {
  json: string
  errorCode: number
}

const NOTIFIED: CallOutcome = Object.freeze({ json: '', errorCode: 0 })
const NO_ANSWER: DispatchResult = Object.freeze({ body: undefined, batch: false, errorCode: 0 })

function hasOwn (object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key)
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function failure (code: number, id: JsonRpcId, data?: unknown, message = STANDARD_MESSAGES[code]): CallOutcome {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data }
  return { json: errorJson(error, id), errorCode: code }
}

function single (outcome: CallOutcome): DispatchResult {
  return { body: outcome.json, batch: false, errorCode: outcome.errorCode }
}

function withTimeout (pending: PromiseLike<unknown>, ms: number): Promise<unknown> {
  if (ms === 0) return Promise.resolve(pending)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new RpcError(CALL_TIMEOUT, STANDARD_MESSAGES[CALL_TIMEOUT], { timeoutMs: ms })), ms)
    pending.then(
      value => { clearTimeout(timer); resolve(value) },
      (error: unknown) => { clearTimeout(timer); reject(error) }
    )
  })
}

export function createDispatcher (registry: RpcRegistry, options: DispatcherOptions): Dispatcher {
  const parseBody = createJsonBodyParser(options.jsonBody)
  const { maxBatchSize, batchConcurrency } = options

  /** An RpcError is the method's answer; anything else is a bug, logged and hidden. */
  function errorOutcome (error: unknown, entry: RpcMethodEntry, id: JsonRpcId, context: DispatchContext): CallOutcome {
    if (error instanceof RpcError) {
      try {
        return { json: errorJson(error.toJSON(), id), errorCode: error.code }
      } catch (encodingError) {
        context.log.error({ err: encodingError, rpcMethod: entry.name, rpcId: id }, 'RPC error data could not be encoded as JSON')
        return failure(error.code, id, undefined, error.message)
      }
    }
    context.log.error({ err: error, rpcMethod: entry.name, rpcId: id }, `RPC method ${entry.qualifiedName} failed`)
    return failure(INTERNAL_ERROR, id)
  }

  function encode (entry: RpcMethodEntry, result: unknown, id: JsonRpcId, context: DispatchContext, notification: boolean): CallOutcome {
    // Nobody reads a notification's result: checking and encoding it would be wasted work.
    if (notification) return NOTIFIED
    try {
      return { json: successJson(entry.encodeResult(result), id), errorCode: 0 }
    } catch (error) {
      context.log.error({ err: error, rpcMethod: entry.name, rpcId: id }, `RPC method ${entry.qualifiedName} returned a result that does not match its schema or cannot be encoded as JSON`)
      return failure(INTERNAL_ERROR, id)
    }
  }

  async function settle (entry: RpcMethodEntry, pending: PromiseLike<unknown>, id: JsonRpcId, context: DispatchContext, notification: boolean): Promise<CallOutcome> {
    let result: unknown
    try {
      result = await withTimeout(pending, entry.timeout)
    } catch (error) {
      return errorOutcome(error, entry, id, context)
    }
    return encode(entry, result, id, context, notification)
  }

  /** Synchronous methods are answered without a promise; only a thenable result is awaited. */
  function invoke (entry: RpcMethodEntry, params: unknown, id: JsonRpcId, context: DispatchContext, notification: boolean): CallOutcome | Promise<CallOutcome> {
    let result: unknown
    try {
      result = entry.invoke(bindParams(entry, params as unknown[] | Record<string, unknown> | undefined))
    } catch (error) {
      return errorOutcome(error, entry, id, context)
    }
    return isThenable(result)
      ? settle(entry, result, id, context, notification)
      : encode(entry, result, id, context, notification)
  }

  function finish (context: DispatchContext, method: string, replyId: JsonRpcId, isNotification: boolean, started: number, outcome: CallOutcome): CallOutcome | undefined {
    if (context.logCalls) logCall(context, method, replyId, isNotification, started, outcome)
    return isNotification ? undefined : outcome
  }

  function logCall (context: DispatchContext, method: string, replyId: JsonRpcId, isNotification: boolean, started: number, outcome: CallOutcome): void {
    context.log.debug({
      rpcMethod: method,
      rpcId: isNotification ? undefined : replyId,
      notification: isNotification,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      errorCode: outcome.errorCode === 0 ? undefined : outcome.errorCode
    }, outcome.errorCode === 0 ? 'rpc call succeeded' : 'rpc call failed')
  }

  /** Answers synchronously when the method is synchronous, so batches of them cost no promise per call. */
  function handleRequest (message: unknown, context: DispatchContext): CallOutcome | undefined | Promise<CallOutcome | undefined> {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return failure(INVALID_REQUEST, null, 'a request must be an object')
    }
    const request = message as Record<string, unknown>
    const isNotification = !hasOwn(request, 'id')
    const id = request.id
    if (!isNotification && id !== null && typeof id !== 'string' && typeof id !== 'number') {
      return failure(INVALID_REQUEST, null, '"id" must be a string, a number or null')
    }
    const replyId = isNotification ? null : id as JsonRpcId
    if (request.jsonrpc !== '2.0') return failure(INVALID_REQUEST, replyId, '"jsonrpc" must be exactly "2.0"')
    const method = request.method
    if (typeof method !== 'string') return failure(INVALID_REQUEST, replyId, '"method" must be a string')
    const params = request.params
    if (hasOwn(request, 'params') && (typeof params !== 'object' || params === null)) {
      return failure(INVALID_REQUEST, replyId, '"params" must be an array or an object')
    }

    const entry = registry.get(method)
    const started = context.logCalls ? performance.now() : 0
    const pending = entry === undefined
      ? failure(METHOD_NOT_FOUND, replyId)
      : invoke(entry, params, replyId, context, isNotification)
    if (pending instanceof Promise) {
      return pending.then(outcome => finish(context, method, replyId, isNotification, started, outcome))
    }
    return finish(context, method, replyId, isNotification, started, pending)
  }

  async function handleBatch (batch: unknown[], context: DispatchContext): Promise<DispatchResult> {
    if (batch.length === 0) return single(failure(INVALID_REQUEST, null, 'a batch must not be empty'))
    if (batch.length > maxBatchSize) {
      return single(failure(INVALID_REQUEST, null, { maxBatchSize, received: batch.length },
        `Invalid Request: a batch may hold at most ${maxBatchSize} calls, this one has ${batch.length}`))
    }
    const outcomes: Array<CallOutcome | undefined> = new Array(batch.length)
    let next = 0
    // A fixed pool of workers bounds how many calls of one batch run at once.
    async function work (): Promise<void> {
      while (next < batch.length) {
        const index = next++
        const outcome = handleRequest(batch[index], context)
        outcomes[index] = outcome instanceof Promise ? await outcome : outcome
      }
    }
    const workers: Array<Promise<void>> = []
    for (let i = Math.min(batchConcurrency, batch.length); i > 0; i--) workers.push(work())
    await Promise.all(workers)

    let body: string | undefined
    for (const outcome of outcomes) {
      if (outcome === undefined) continue
      body = body === undefined ? '[' + outcome.json : body + ',' + outcome.json
    }
    return body === undefined ? NO_ANSWER : { body: body + ']', batch: true, errorCode: 0 }
  }

  async function dispatch (message: unknown, context: DispatchContext): Promise<DispatchResult> {
    if (Array.isArray(message)) return await handleBatch(message, context)
    const outcome = await handleRequest(message, context)
    return outcome === undefined ? NO_ANSWER : single(outcome)
  }

  async function dispatchText (text: string, context: DispatchContext): Promise<DispatchResult> {
    const parsed = parseBody(text)
    if (parsed.ok) return await dispatch(parsed.value, context)
    return parsed.reason === 'syntax'
      ? single(failure(PARSE_ERROR, null))
      : single(failure(INVALID_REQUEST, null, 'the body holds a forbidden "__proto__" or "constructor.prototype" key'))
  }

  return { dispatch, dispatchText }
}
