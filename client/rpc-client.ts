import type { JsonRpcRequest } from '../protocol/messages'
import { RpcBatch } from './batch'
import { postJson, type HttpAnswer, type RpcFetch } from './http-post'
import { resolveLogHook, type RpcLogHook } from './log'
import { buildRpcProxy, type RpcNotifier, type RpcProxy } from './proxy'
import { buildRequest, checkId, incrementingIds, positionalParams, type RpcParams } from './request-message'
import { settleBatch, settleCall, settleNotification } from './response-reading'
import { WebSocketLink, type ReconnectBackoff, type RpcNotificationHandler, type RpcServerNotification, type RpcWebSocketConstructor } from './websocket-link'

export type RpcHeaders = Record<string, string>

export interface RpcClientOptions {
  /** Milliseconds each call may take, answer body included; 0 for no limit. Default 30000. */
  timeout?: number
  /**
   * The largest answer the client reads, in bytes: an HTTP body, or a
   * WebSocket message. A larger one is cut off as it arrives and the call
   * rejects with an `RpcTransportError` of kind `too-large`. Default 10 MiB.
   */
  maxResponseBytes?: number
  /**
   * Headers sent with every call (an `Authorization` bearer token, say), or a
   * function giving them, called before each call (to refresh a token).
   */
  headers?: RpcHeaders | (() => RpcHeaders | Promise<RpcHeaders>)
  /** Gives each request's id. Default: 1, 2, 3... for this client. */
  idGenerator?: () => string | number
  /** The fetch to use. Default: the global `fetch`. */
  fetch?: RpcFetch
  /** `true` prints the seed's `-->` / `<--` lines with `console.log`; a function receives them instead. */
  log?: boolean | RpcLogHook
  /**
   * For `ws:` and `wss:` URLs: the WebSocket class to connect with. Default:
   * the global `WebSocket` (browsers, Node 22+); on Node 20 pass the `ws`
   * package's. Over WebSocket, `headers` and `fetch` are not used.
   */
  WebSocket?: RpcWebSocketConstructor
  /**
   * Over WebSocket: reopen a connection that dropped, at once and with
   * backoff (100 ms doubling to 5 s by default) until it succeeds, then run
   * `onReconnect`. Default false: the next call opens a new connection.
   * Either way, calls waiting when it dropped reject with kind `connection-lost`.
   */
  reconnect?: boolean | ReconnectBackoff
  /** Runs after each reconnection: subscribe again here (the server forgot this connection's topics). */
  onReconnect?: (client: RpcClient) => void | Promise<void>
}

/** Options for one call, overriding the client's. */
export interface RpcCallOptions {
  timeout?: number
  /** Aborts the call; it then rejects with an `RpcTransportError` of kind `aborted`. */
  signal?: AbortSignal
  /** Added to (and overriding) the client's headers for this call. */
  headers?: RpcHeaders
}

export const DEFAULT_CLIENT_TIMEOUT = 30_000

/** 10 MiB: far above any ordinary JSON-RPC answer, far below what would strain a browser tab or a small server. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024

function checkByteLimit (limit: unknown): number {
  if (limit === undefined) return DEFAULT_MAX_RESPONSE_BYTES
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new TypeError(`maxResponseBytes must be a whole number of bytes, 1 or more, got ${JSON.stringify(limit) ?? String(limit)}`)
  }
  return limit
}

function checkTimeout (timeout: unknown, name: string): number | undefined {
  if (timeout === undefined) return undefined
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw new TypeError(`${name} must be a finite number of milliseconds, 0 or more, got ${JSON.stringify(timeout) ?? String(timeout)}`)
  }
  return timeout
}

/** Header names are case-insensitive: lower-casing them lets later sources override earlier ones. */
function mergeHeaders (target: RpcHeaders, source: RpcHeaders | undefined): RpcHeaders {
  if (source !== undefined) {
    for (const [name, value] of Object.entries(source)) target[name.toLowerCase()] = value
  }
  return target
}

function globalFetch (): RpcFetch {
  if (typeof globalThis.fetch !== 'function') {
    throw new TypeError('RpcClient needs a fetch implementation: this runtime has no global fetch, pass `fetch` in the options')
  }
  // Called through a wrapper: some browsers reject a fetch not called on the global object.
  return async (url, init) => await globalThis.fetch(url, init)
}

function globalWebSocket (): RpcWebSocketConstructor {
  const WebSocket = (globalThis as { WebSocket?: RpcWebSocketConstructor }).WebSocket
  if (typeof WebSocket !== 'function') {
    throw new TypeError('RpcClient needs a WebSocket class for ws: URLs: this runtime has none, pass `WebSocket` in the options (on Node 20: the ws package)')
  }
  return WebSocket
}

const unusedFetch: RpcFetch = async () => { throw new Error('fetch is not used over WebSocket') }

/**
 * A JSON-RPC 2.0 client over HTTP, or over WebSocket for `ws:` / `wss:`
 * URLs. Error responses reject with `RpcError` (whatever the HTTP status); failures to get a response reject with
 * `RpcTransportError`.
 */
export class RpcClient {
  readonly url: string
  readonly #timeout: number
  readonly #maxResponseBytes: number
  readonly #headers: RpcClientOptions['headers']
  readonly #nextId: () => string | number
  readonly #fetch: RpcFetch
  readonly #log: RpcLogHook | undefined
  readonly #link: WebSocketLink | undefined
  readonly #notificationHandlers = new Map<string, Set<RpcNotificationHandler>>()

  constructor (url: string | URL, options: RpcClientOptions = {}) {
    this.url = String(url)
    this.#timeout = checkTimeout(options.timeout, 'timeout') ?? DEFAULT_CLIENT_TIMEOUT
    this.#maxResponseBytes = checkByteLimit(options.maxResponseBytes)
    this.#headers = options.headers
    this.#nextId = options.idGenerator ?? incrementingIds()
    this.#log = resolveLogHook(options.log)
    if (/^wss?:/i.test(this.url)) {
      this.#fetch = unusedFetch
      this.#link = new WebSocketLink(this.url, {
        WebSocket: options.WebSocket ?? globalWebSocket(),
        maxMessageBytes: this.#maxResponseBytes,
        log: this.#log,
        onNotification: notification => { this.#deliver(notification) },
        reconnect: options.reconnect === true ? {} : options.reconnect === false ? undefined : options.reconnect,
        onReconnect: () => {
          // A hook's failure is reported, never left as an unhandled rejection.
          Promise.resolve(options.onReconnect?.(this)).catch((error: unknown) => { console.error('fastify-jsonrpc: the onReconnect hook failed', error) })
        }
      })
    } else {
      this.#fetch = options.fetch ?? globalFetch()
    }
  }

  /**
   * Runs `handler` for each notification the server pushes with this method
   * name (`'*'` for every one). Over HTTP the server cannot push, so it never
   * runs. Returns a function that removes the handler.
   */
  onNotification (method: string, handler: RpcNotificationHandler): () => void {
    let handlers = this.#notificationHandlers.get(method)
    if (handlers === undefined) {
      handlers = new Set()
      this.#notificationHandlers.set(method, handlers)
    }
    handlers.add(handler)
    return () => { handlers.delete(handler) }
  }

  /** Closes a WebSocket connection (calls still waiting reject); nothing to do over HTTP. */
  close (): void {
    this.#link?.close()
  }

  #deliver (notification: RpcServerNotification): void {
    for (const key of [notification.method, '*']) {
      for (const handler of this.#notificationHandlers.get(key) ?? []) {
        try {
          handler(notification.params, notification)
        } catch (error) {
          // A handler's bug must neither break the connection that serves every call nor go unseen.
          console.error(`fastify-jsonrpc: a handler of the server notification "${notification.method}" threw`, error)
        }
      }
    }
  }

  /** Calls `method` with positional params, as the seed's `request('hello', 'Nancy')`. */
  async request<TResult = unknown> (method: string, ...args: unknown[]): Promise<TResult> {
    return await this.call<TResult>(method, positionalParams(args))
  }

  /** Calls `method` with params given as an array (positional) or an object (by name). */
  async call<TResult = unknown> (method: string, params?: RpcParams, options?: RpcCallOptions): Promise<TResult> {
    const id = this.#nextId()
    checkId(id)
    const request = buildRequest(method, params, id)
    const answer = await this.#post(request, options)
    return settleCall(answer, this.url, id) as TResult
  }

  /** Sends a notification with positional params; resolves once the server has accepted it. */
  async notify (method: string, ...args: unknown[]): Promise<void> {
    await this.notifyWith(method, positionalParams(args))
  }

  /** Sends a notification with params given as an array or an object. */
  async notifyWith (method: string, params?: RpcParams, options?: RpcCallOptions): Promise<void> {
    const answer = await this.#post(buildRequest(method, params), options)
    settleNotification(answer, this.url)
  }

  /** Starts a batch: add calls and notifications, then `send()` them in one HTTP request. */
  batch (): RpcBatch<RpcCallOptions> {
    return new RpcBatch<RpcCallOptions>(this.#nextId, async (requests, ids, options) => {
      const answer = await this.#post(requests, options)
      return settleBatch(answer, this.url, ids)
    })
  }

  /** A typed view of a remote service: `client.proxy<GreetingService>().hello('Nancy')`. */
  proxy<TService extends object> (): RpcProxy<TService> {
    return buildRpcProxy<TService>(async (method, args) => await this.call(method, positionalParams(args)))
  }

  /**
   * A typed view of a service's notifications: `client.notifier<ApiNotifications>().record('x')`
   * sends `record` without an id, as `notify` does.
   */
  notifier<TNotifications extends object> (): RpcNotifier<TNotifications> {
    // The same method table as proxy(); each function resolves to undefined, which is what RpcNotifier says.
    return buildRpcProxy<TNotifications>(async (method, args) => { await this.notifyWith(method, positionalParams(args)) }) as unknown as RpcNotifier<TNotifications>
  }

  async #post (message: JsonRpcRequest | readonly JsonRpcRequest[], options: RpcCallOptions = {}): Promise<HttpAnswer> {
    if (this.#link !== undefined) {
      const ids = (Array.isArray(message) ? message : [message])
        .map(request => request.id)
        .filter((id): id is string | number => id !== undefined && id !== null)
      return await this.#link.exchange(JSON.stringify(message), {
        ids,
        timeout: checkTimeout(options.timeout, 'the call\'s timeout') ?? this.#timeout,
        signal: options.signal
      })
    }
    const clientHeaders = typeof this.#headers === 'function' ? await this.#headers() : this.#headers
    const headers = mergeHeaders(mergeHeaders({ 'content-type': 'application/json', accept: 'application/json' }, clientHeaders), options.headers)
    return await postJson(this.url, JSON.stringify(message), {
      fetch: this.#fetch,
      headers,
      timeout: checkTimeout(options.timeout, 'the call\'s timeout') ?? this.#timeout,
      maxResponseBytes: this.#maxResponseBytes,
      signal: options.signal,
      log: this.#log
    })
  }
}
