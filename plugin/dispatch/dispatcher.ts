import { CALL_TIMEOUT, INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, SERVER_BUSY, STANDARD_MESSAGES, UNAUTHORIZED } from '../../protocol/error-codes'
import type { JsonRpcErrorObject, JsonRpcId } from '../../protocol/messages'
import { RpcError } from '../../protocol/rpc-error'
import type { AdmissionCheck, CallAdmission, CallRefusal } from '../contracts/call-admission'
import type { RpcConnection, RpcContext } from '../contracts/call-context'
import type { CallEnding, CallObserver, DispatchObserver } from '../contracts/call-observer'
import type { RpcLogger } from '../contracts/logger'
import { CallSignal } from './call-signal'
import { DEFAULT_MAX_IN_FLIGHT } from './in-flight'
import { buildJsonBodyParser, type JsonBodyOptions } from './json-body'
import { bindParams } from './params-binding'
import type { RpcMethodEntry, RpcRegistry } from '../contracts/method-entry'
import { errorJson, successJson } from '../contracts/response-encoding'
import { hasOwn, isStringOrFiniteId } from '../../protocol/checks'

/** What a transport knows about the request that carried the message. */
export interface DispatchContext {
  log: RpcLogger
  /** Log every call at debug level; a transport decides it once per request. */
  logCalls: boolean
  /** Handed to methods and guards as `RpcContext.request`. */
  request?: unknown
  /** Names the transport in `RpcContext.transport`; default 'http'. */
  transport?: string
  /** The connection, for transports that can push notifications. */
  connection?: RpcConnection
  /**
   * Aborted when whoever sent the message is gone (the HTTP request closed,
   * the WebSocket disconnected). From then on the engine starts no new call
   * of the message (calls not started get no answer: nobody would read it),
   * and calls already running see it abort through `RpcContext.signal`.
   */
  signal?: AbortSignal
  /**
   * Whether the sender is gone, for the engine's checks before it starts a
   * call; without it, `signal.aborted`. A transport whose signal is costly to
   * make (one AbortController per HTTP request is measurable) makes its
   * signal on first use and answers this without one.
   */
  senderGone?: () => boolean
}

export interface DispatchResult {
  /** The JSON text to send, or undefined when nothing is owed (notifications only). */
  body: string | undefined
  /** True when the body is a batch response array. */
  batch: boolean
  /** For a single response that is an error, its code; otherwise 0. */
  errorCode: number
  /**
   * Set (true) only when the single call was refused because `maxInFlight`
   * calls were running (HTTP answers 503 with Retry-After). An application's
   * own error with the same code is not marked.
   */
  busy?: boolean
  /** Set only when the single call was refused by the admission (a rate limit): milliseconds before trying again (HTTP answers 429 with Retry-After). */
  retryAfterMs?: number
}

export interface DispatcherOptions {
  /** Most elements accepted in one batch. */
  maxBatchSize: number
  /** Most calls of one batch running at the same time. */
  batchConcurrency: number
  /**
   * Most asynchronous calls of this dispatcher running at once, across every
   * message, counting calls that timed out but whose promise has not settled.
   * Default DEFAULT_MAX_IN_FLIGHT.
   */
  maxInFlight?: number
  jsonBody: JsonBodyOptions
  /**
   * Watches calls and batches (the plugin's telemetry). Asked once per method
   * when the dispatcher is built; without it, or for a method it does not
   * watch, a call costs nothing more.
   */
  observer?: DispatchObserver
  /** Asked before each call (the rate limits); none when undefined. */
  admission?: CallAdmission
}

/**
 * Neither method ever rejects: whatever goes wrong inside (even a logger that
 * throws) is answered with -32603 and id null, so a transport only sends.
 */
export interface Dispatcher {
  /** Handles a raw body: parse errors become -32700 responses. */
  dispatchText: (text: string, context: DispatchContext) => Promise<DispatchResult>
  /** Handles an already-parsed message (a request object or a batch array). */
  dispatch: (message: unknown, context: DispatchContext) => Promise<DispatchResult>
}

/** A call's answer, and how it ended for an observer (errors carry their message, and what was thrown). */
interface CallOutcome extends CallEnding {
  json: string
  /** Refused by the admission (a rate limit): when the caller may try again. */
  retryAfterMs?: number
}

const NOTIFIED: CallOutcome = Object.freeze({ json: '', errorCode: 0 })
const NO_ANSWER: DispatchResult = Object.freeze({ body: undefined, batch: false, errorCode: 0 })

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function failure (code: number, id: JsonRpcId, data?: unknown, message = STANDARD_MESSAGES[code]): CallOutcome {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data }
  return { json: errorJson(error, id), errorCode: code, errorMessage: message }
}

function single (outcome: CallOutcome): DispatchResult {
  if (outcome.retryAfterMs !== undefined) return { body: outcome.json, batch: false, errorCode: outcome.errorCode, retryAfterMs: outcome.retryAfterMs }
  return outcome.busy === true
    ? { body: outcome.json, batch: false, errorCode: outcome.errorCode, busy: true }
    : { body: outcome.json, batch: false, errorCode: outcome.errorCode }
}

function refused (refusal: CallRefusal, id: JsonRpcId): CallOutcome {
  return { json: errorJson(refusal.error, id), errorCode: refusal.error.code, retryAfterMs: refusal.retryAfterMs }
}

function busy (id: JsonRpcId): CallOutcome {
  return { json: errorJson({ code: SERVER_BUSY, message: STANDARD_MESSAGES[SERVER_BUSY] }, id), errorCode: SERVER_BUSY, errorMessage: STANDARD_MESSAGES[SERVER_BUSY], busy: true }
}

const DISPATCH_FAILED: DispatchResult = Object.freeze({
  body: errorJson({ code: INTERNAL_ERROR, message: STANDARD_MESSAGES[INTERNAL_ERROR] }, null),
  batch: false,
  errorCode: INTERNAL_ERROR
})

/** A user's thenable as a native promise, whose `then` calls back once and never throws. */
function toPromise (pending: PromiseLike<unknown>): Promise<unknown> {
  return pending instanceof Promise ? pending : Promise.resolve(pending)
}

function isAborted (context: DispatchContext): boolean {
  if (context.senderGone !== undefined) return context.senderGone()
  return context.signal !== undefined && context.signal.aborted
}

/** A new arguments array (the bound one may be the request's own params array). */
function insertContext (args: unknown[], index: number, callContext: unknown): unknown[] {
  const withContext = args.slice(0, index)
  withContext.length = index
  withContext.push(callContext, ...args.slice(index))
  return withContext
}

/** `instanceof` that answers false for a value whose prototype cannot be read (a Proxy with a throwing trap). */
function isRpcError (value: unknown): value is RpcError {
  try {
    return value instanceof RpcError
  } catch {
    return false
  }
}

/** Logs a failure; a thrown value that breaks the logger's serializer is left out rather than escaping. */
function logFailure (log: RpcLogger, error: unknown, fields: { rpcMethod?: string, rpcId?: JsonRpcId }, msg: string): void {
  try {
    log.error({ err: error, ...fields }, msg)
  } catch {
    try {
      log.error({ err: 'a thrown value that cannot be inspected', ...fields }, msg)
    } catch {}
  }
}

function observersByMethod (registry: RpcRegistry, observer: DispatchObserver): Map<string, CallObserver> {
  const observers = new Map<string, CallObserver>()
  for (const entry of registry.values()) {
    const watcher = observer.forMethod(entry.name, entry.options)
    if (watcher !== undefined) observers.set(entry.name, watcher)
  }
  return observers
}

function checksByMethod (registry: RpcRegistry, admission: CallAdmission): Map<string, AdmissionCheck> {
  const checks = new Map<string, AdmissionCheck>()
  for (const entry of registry.values()) {
    const check = admission(entry)
    if (check !== undefined) checks.set(entry.name, check)
  }
  return checks
}

export function buildDispatcher (registry: RpcRegistry, options: DispatcherOptions): Dispatcher {
  const parseBody = buildJsonBodyParser(options.jsonBody)
  const { maxBatchSize, batchConcurrency } = options
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  /** Each admitted method's check, decided here once; a method without one builds no context for it. */
  const admissionChecks = options.admission === undefined ? undefined : checksByMethod(registry, options.admission)
  /** Asynchronous calls whose promise has not settled yet, timed out or not. */
  let inFlight = 0
  const { observer } = options
  /** Each watched method's observer, decided here once; undefined when nothing watches calls. */
  const observers = observer === undefined ? undefined : observersByMethod(registry, observer)

  /**
   * Waits for a call's promise, at most `ms` (0: for as long as it takes).
   * The call holds its in-flight slot until the promise itself settles, even
   * after the timeout answered: JavaScript cannot stop it, so it still runs.
   */
  function awaitCall (pending: Promise<unknown>, ms: number, signal: CallSignal | undefined): Promise<unknown> {
    inFlight++
    return new Promise((resolve, reject) => {
      const timer = ms === 0
        ? undefined
        : setTimeout(() => {
          signal?.expire(new RpcError(CALL_TIMEOUT, STANDARD_MESSAGES[CALL_TIMEOUT]))
          reject(new RpcError(CALL_TIMEOUT, STANDARD_MESSAGES[CALL_TIMEOUT], { timeoutMs: ms }))
        }, ms)
      pending.then(
        value => { inFlight--; clearTimeout(timer); signal?.release(); resolve(value) },
        (error: unknown) => { inFlight--; clearTimeout(timer); signal?.release(); reject(error) }
      )
    })
  }

  /** An RpcError is the method's answer; anything else is a bug, logged and hidden. */
  function errorOutcome (error: unknown, entry: RpcMethodEntry, id: JsonRpcId, context: DispatchContext): CallOutcome {
    if (isRpcError(error)) {
      try {
        return { json: errorJson(error.toJSON(), id), errorCode: error.code, errorMessage: error.message }
      } catch (encodingError) {
        logFailure(context.log, encodingError, { rpcMethod: entry.name, rpcId: id }, 'RPC error data could not be encoded as JSON')
        return failure(error.code, id, undefined, error.message)
      }
    }
    logFailure(context.log, error, { rpcMethod: entry.name, rpcId: id }, `RPC method ${entry.qualifiedName} failed`)
    return { ...failure(INTERNAL_ERROR, id), thrown: error }
  }

  function encode (entry: RpcMethodEntry, result: unknown, id: JsonRpcId, context: DispatchContext, notification: boolean): CallOutcome {
    // Nobody reads a notification's result: checking and encoding it would be wasted work.
    if (notification) return NOTIFIED
    try {
      return { json: successJson(entry.encodeResult(result), id), errorCode: 0 }
    } catch (error) {
      logFailure(context.log, error, { rpcMethod: entry.name, rpcId: id }, `RPC method ${entry.qualifiedName} returned a result that does not match its schema or cannot be encoded as JSON`)
      return failure(INTERNAL_ERROR, id)
    }
  }

  async function settle (entry: RpcMethodEntry, pending: PromiseLike<unknown>, id: JsonRpcId, context: DispatchContext, notification: boolean, signal?: CallSignal): Promise<CallOutcome> {
    let result: unknown
    try {
      result = await awaitCall(toPromise(pending), entry.timeout, signal)
    } catch (error) {
      return errorOutcome(error, entry, id, context)
    }
    return encode(entry, result, id, context, notification)
  }

  function callMethod (entry: RpcMethodEntry, params: unknown, callContext: RpcContext<unknown>): unknown {
    const args = bindParams(entry, params as unknown[] | Record<string, unknown> | undefined)
    return entry.invoke(entry.contextIndex >= 0 ? insertContext(args, entry.contextIndex, callContext) : args)
  }

  /**
   * Guards, then the method, as one promise: the call's timeout covers a
   * guard that never settles as it covers the method. Guards run before
   * params are checked, so a refused caller learns nothing about the
   * signature.
   */
  async function guardedCall (entry: RpcMethodEntry, params: unknown, callContext: RpcContext<unknown>): Promise<unknown> {
    for (const guard of entry.guards) {
      const verdict = guard(callContext as RpcContext)
      if ((isThenable(verdict) ? await verdict : verdict) !== true) throw new RpcError(UNAUTHORIZED, STANDARD_MESSAGES[UNAUTHORIZED])
    }
    return await callMethod(entry, params, callContext)
  }

  /** For methods that take an `RpcContext`, have guards or an admission check: only they pay for building one. */
  function invokeWithContext (entry: RpcMethodEntry, params: unknown, id: JsonRpcId, context: DispatchContext, notification: boolean, admit: AdmissionCheck | undefined): CallOutcome | Promise<CallOutcome> {
    const signal = entry.timeout > 0 ? new CallSignal(context.signal) : undefined
    const callContext: RpcContext<unknown> = {
      request: context.request,
      log: context.log,
      method: entry.name,
      id: notification ? undefined : id,
      transport: context.transport ?? 'http',
      connection: context.connection,
      signal: signal === undefined ? context.signal : signal.signal
    }
    // The one seam of the admission (rate limits): a call it refuses never reaches guards or method.
    if (admit === undefined) return runWithContext(entry, params, id, context, notification, callContext, signal)
    return admit(callContext).then(
      refusal => {
        if (refusal === undefined) return runWithContext(entry, params, id, context, notification, callContext, signal)
        signal?.release()
        return refused(refusal, id)
      },
      (error: unknown) => { signal?.release(); return errorOutcome(error, entry, id, context) }
    )
  }

  function runWithContext (entry: RpcMethodEntry, params: unknown, id: JsonRpcId, context: DispatchContext, notification: boolean, callContext: RpcContext<unknown>, signal: CallSignal | undefined): CallOutcome | Promise<CallOutcome> {
    let result: unknown
    try {
      result = entry.guards.length === 0 ? callMethod(entry, params, callContext) : guardedCall(entry, params, callContext)
    } catch (error) {
      signal?.release()
      return errorOutcome(error, entry, id, context)
    }
    if (isThenable(result)) return settle(entry, result, id, context, notification, signal)
    signal?.release()
    return encode(entry, result, id, context, notification)
  }

  /** Synchronous methods are answered without a promise; only a thenable result is awaited. */
  function invoke (entry: RpcMethodEntry, params: unknown, id: JsonRpcId, context: DispatchContext, notification: boolean): CallOutcome | Promise<CallOutcome> {
    // Checked before the call, since nobody can tell beforehand whether it will be asynchronous; one comparison on the fast path.
    if (inFlight >= maxInFlight) return busy(id)
    const admit = admissionChecks?.get(entry.name)
    if (entry.contextIndex >= 0 || entry.guards.length > 0 || admit !== undefined) return invokeWithContext(entry, params, id, context, notification, admit)
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

  function answerCall (entry: RpcMethodEntry | undefined, params: unknown, replyId: JsonRpcId, context: DispatchContext, isNotification: boolean): CallOutcome | Promise<CallOutcome> {
    return entry === undefined ? failure(METHOD_NOT_FOUND, replyId) : invoke(entry, params, replyId, context, isNotification)
  }

  /** The observer's one seam: the call runs inside its watch, which learns how it ended. Observers never throw. */
  function watchCall (watcher: CallObserver, entry: RpcMethodEntry | undefined, params: unknown, replyId: JsonRpcId, context: DispatchContext, isNotification: boolean): CallOutcome | Promise<CallOutcome> {
    const watch = watcher.start(isNotification ? undefined : replyId, context.transport ?? 'http', context.request)
    const pending = watch.run(() => answerCall(entry, params, replyId, context, isNotification))
    if (!(pending instanceof Promise)) {
      watch.end(pending)
      return pending
    }
    return pending.then(outcome => {
      watch.end(outcome)
      return outcome
    })
  }

  /** Answers synchronously when the method is synchronous, so batches of them cost no promise per call. */
  function handleRequest (message: unknown, context: DispatchContext): CallOutcome | undefined | Promise<CallOutcome | undefined> {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return failure(INVALID_REQUEST, null, 'a request must be an object')
    }
    const request = message as Record<string, unknown>
    const isNotification = !hasOwn(request, 'id')
    const id = request.id
    // 1e400 parses to Infinity, which has no JSON spelling to echo back.
    if (!isNotification && id !== null && !isStringOrFiniteId(id)) {
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
    const watcher = observers === undefined ? undefined : entry === undefined ? observer?.unlisted : observers.get(method)
    const pending = watcher === undefined
      ? answerCall(entry, params, replyId, context, isNotification)
      : watchCall(watcher, entry, params, replyId, context, isNotification)
    if (pending instanceof Promise) {
      return pending.then(outcome => finish(context, method, replyId, isNotification, started, outcome))
    }
    return finish(context, method, replyId, isNotification, started, pending)
  }

  /** Synchronous calls are answered in order without a promise; from the first asynchronous one on, a bounded pool takes over. */
  function handleBatch (batch: unknown[], context: DispatchContext): DispatchResult | Promise<DispatchResult> {
    if (batch.length === 0) return single(failure(INVALID_REQUEST, null, 'a batch must not be empty'))
    observer?.batch(batch.length, batch.length > maxBatchSize)
    if (batch.length > maxBatchSize) {
      return single(failure(INVALID_REQUEST, null, { maxBatchSize, received: batch.length },
        `Invalid Request: a batch may hold at most ${maxBatchSize} calls, this one has ${batch.length}`))
    }
    // Synchronous calls below cannot see the signal change: it is read once here, then before every call started later.
    if (isAborted(context)) return NO_ANSWER
    const outcomes: Array<CallOutcome | undefined> = new Array(batch.length)
    for (let index = 0; index < batch.length; index++) {
      const outcome = handleRequest(batch[index], context)
      if (outcome instanceof Promise) return finishConcurrently(batch, outcomes, index, outcome, context)
      outcomes[index] = outcome
    }
    return joinBatch(outcomes)
  }

  async function finishConcurrently (
    batch: unknown[],
    outcomes: Array<CallOutcome | undefined>,
    firstIndex: number,
    firstPending: Promise<CallOutcome | undefined>,
    context: DispatchContext
  ): Promise<DispatchResult> {
    let next = firstIndex + 1
    // A fixed pool of workers bounds how many calls of one batch run at once; the first worker starts with the call already running.
    async function work (index: number, pending: Promise<CallOutcome | undefined> | undefined): Promise<void> {
      if (pending !== undefined) outcomes[index] = await pending
      // A batch whose sender is gone starts nothing new; the calls already running finish.
      while (next < batch.length && !isAborted(context)) {
        const current = next++
        const outcome = handleRequest(batch[current], context)
        outcomes[current] = outcome instanceof Promise ? await outcome : outcome
      }
    }
    const workers: Array<Promise<void>> = [work(firstIndex, firstPending)]
    for (let i = Math.min(batchConcurrency, batch.length - firstIndex) - 1; i > 0; i--) workers.push(work(-1, undefined))
    await Promise.all(workers)
    return joinBatch(outcomes)
  }

  function joinBatch (outcomes: ReadonlyArray<CallOutcome | undefined>): DispatchResult {
    let body: string | undefined
    for (const outcome of outcomes) {
      if (outcome === undefined) continue
      body = body === undefined ? '[' + outcome.json : body + ',' + outcome.json
    }
    return body === undefined ? NO_ANSWER : { body: body + ']', batch: true, errorCode: 0 }
  }

  function toResult (outcome: CallOutcome | undefined): DispatchResult {
    return outcome === undefined ? NO_ANSWER : single(outcome)
  }

  /** A result without a promise when every call of the message was synchronous. */
  function handleMessage (message: unknown, context: DispatchContext): DispatchResult | Promise<DispatchResult> {
    if (Array.isArray(message)) return handleBatch(message, context)
    if (isAborted(context)) return NO_ANSWER
    const outcome = handleRequest(message, context)
    return outcome instanceof Promise ? outcome.then(toResult) : toResult(outcome)
  }

  function handleText (text: string, context: DispatchContext): DispatchResult | Promise<DispatchResult> {
    const parsed = parseBody(text)
    if (parsed.ok) return handleMessage(parsed.value, context)
    return parsed.reason === 'syntax'
      ? single(failure(PARSE_ERROR, null))
      : single(failure(INVALID_REQUEST, null, 'the body holds a forbidden "__proto__" or "constructor.prototype" key'))
  }

  /**
   * The one place a failure outside any call (a logger that throws, say) is
   * caught, for every transport. One promise per message, and no more.
   */
  function answerAnyway<TInput> (
    handle: (input: TInput, context: DispatchContext) => DispatchResult | Promise<DispatchResult>,
    input: TInput,
    context: DispatchContext
  ): Promise<DispatchResult> {
    const failed = (error: unknown): DispatchResult => {
      logFailure(context.log, error, {}, 'JSON-RPC dispatch failed')
      return DISPATCH_FAILED
    }
    try {
      const result = handle(input, context)
      return result instanceof Promise ? result.catch(failed) : Promise.resolve(result)
    } catch (error) {
      return Promise.resolve(failed(error))
    }
  }

  return {
    dispatch: (message, context) => answerAnyway(handleMessage, message, context),
    dispatchText: (text, context) => answerAnyway(handleText, text, context)
  }
}
