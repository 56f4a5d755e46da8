import type { JsonRpcId, JsonRpcParams } from '../protocol/messages'
import type { HttpAnswer } from './http-post'
import type { RpcLogHook } from './log'
import { requestLogEvent, socketMessageLogEvent } from './log'
import { textExceeds } from './read-body'
import { RpcTransportError } from './transport-error'
import { WEBSOCKET_OPEN } from '../protocol/checks'

/**
 * A socket event as the client receives it. Left open (`object`) so that the
 * browser's and ws's event classes both fit; the client reads a message's
 * `data` and a close's `code` and `reason` from it.
 */
export type RpcSocketEvent = object

interface SocketEventFields {
  readonly data?: unknown
  readonly code?: number
  readonly reason?: string
}

/**
 * The part of the WebSocket API the client uses. The browser's `WebSocket`
 * (and Node 22's global one) fit it, and so does the `ws` package's.
 */
export interface RpcWebSocket {
  readonly readyState: number
  send (data: string): void
  close (code?: number, reason?: string): void
  addEventListener (type: 'open' | 'message' | 'close' | 'error', listener: (event: RpcSocketEvent) => void): void
}

/**
 * The client constructs `new WebSocket(url, undefined, { maxPayload })`: the
 * `ws` package then refuses an oversized message before reading it; other
 * classes (a browser's) ignore the third argument.
 */
export type RpcWebSocketConstructor = new (url: string, protocols?: undefined, options?: { maxPayload?: number }) => RpcWebSocket

/** A notification the server pushed: `{"jsonrpc":"2.0","method":...,"params":...}` with no id. */
export interface RpcServerNotification {
  method: string
  params: JsonRpcParams | undefined
}

export type RpcNotificationHandler = (params: JsonRpcParams | undefined, notification: RpcServerNotification) => void

/** RFC 6455: the close code for a message too big to handle. */
const MESSAGE_TOO_BIG = 1009

interface Pending {
  readonly ids: readonly JsonRpcId[]
  resolve: (text: string) => void
  reject: (error: RpcTransportError) => void
}

export interface ExchangeOptions {
  /** The ids whose responses answer this message; empty for notifications. */
  ids: readonly JsonRpcId[]
  timeout: number
  signal: AbortSignal | undefined
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A message's size in bytes, read without copying it. */
function messageExceeds (data: unknown, limit: number): boolean {
  if (typeof data === 'string') return textExceeds(data, limit)
  const size = (data as { size?: unknown, byteLength?: unknown } | null)?.size ?? (data as { byteLength?: unknown } | null)?.byteLength
  if (typeof size === 'number') return size > limit
  // ws hands a message of several fragments as an array of Buffers when asked to: counted whole.
  if (Array.isArray(data)) return data.reduce((total: number, part: { byteLength?: number }) => total + (part.byteLength ?? 0), 0) > limit
  return false
}

export interface WebSocketLinkOptions {
  WebSocket: RpcWebSocketConstructor
  /** The largest message read, in bytes; a larger one closes the socket and rejects the waiting calls with kind `too-large`. */
  maxMessageBytes: number
  log: RpcLogHook | undefined
  onNotification: (notification: RpcServerNotification) => void
  /** Reopen a connection that dropped, with this backoff; undefined: only when the next call needs one. */
  reconnect?: ReconnectBackoff
  /** Runs after each reconnection (the app subscribes again there). */
  onReconnect?: () => void
}

export interface ReconnectBackoff {
  /** Milliseconds before the first attempt; doubled after each failure. Default 100. */
  initialDelayMs?: number
  /** The longest wait between attempts. Default 5000. */
  maxDelayMs?: number
}

async function messageText (data: unknown): Promise<string> {
  if (typeof data === 'string') return data
  // A browser Blob, or a binary frame from ws: decode it as the UTF-8 it is.
  if (typeof (data as { text?: unknown })?.text === 'function') return await (data as { text: () => Promise<string> }).text()
  return new TextDecoder().decode(data as ArrayBuffer)
}

/**
 * One WebSocket carrying many JSON-RPC exchanges: answers are matched to
 * calls by id, and messages with a method and no id are the server's
 * notifications. The socket opens on first use and again after it closes.
 */
export class WebSocketLink {
  readonly #url: string
  readonly #WebSocket: RpcWebSocketConstructor
  readonly #maxMessageBytes: number
  readonly #log: RpcLogHook | undefined
  readonly #onNotification: (notification: RpcServerNotification) => void
  readonly #pending = new Map<JsonRpcId, Pending>()
  #socket: RpcWebSocket | undefined
  #opening: Promise<RpcWebSocket> | undefined
  /** The socket being opened or open; events of an older one are ignored. */
  #current: RpcWebSocket | undefined
  readonly #reconnect: Required<ReconnectBackoff> | undefined
  readonly #onReconnect: (() => void) | undefined
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #closedByClient = false

  constructor (url: string, options: WebSocketLinkOptions) {
    this.#url = url
    this.#WebSocket = options.WebSocket
    this.#maxMessageBytes = options.maxMessageBytes
    this.#log = options.log
    this.#onNotification = options.onNotification
    this.#reconnect = options.reconnect === undefined ? undefined : { initialDelayMs: 100, maxDelayMs: 5000, ...options.reconnect }
    this.#onReconnect = options.onReconnect
  }

  /** Sends one message; resolves with the text answering `ids` (an empty text when none is owed). */
  async exchange (text: string, options: ExchangeOptions): Promise<HttpAnswer> {
    const { ids, timeout, signal } = options
    this.#closedByClient = false
    if (signal?.aborted === true) throw new RpcTransportError('aborted', `the call to ${this.#url} was aborted before it was sent`, { cause: signal.reason })
    for (const id of ids) {
      if (this.#pending.has(id)) throw new TypeError(`a call with id ${JSON.stringify(id)} is already waiting on this connection`)
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    let pending: Pending | undefined
    let onAbort: (() => void) | undefined
    try {
      return await new Promise<HttpAnswer>((resolve, reject) => {
        const fail = (error: RpcTransportError): void => { this.#forget(pending); reject(error) }
        if (timeout > 0) timer = setTimeout(() => fail(new RpcTransportError('timeout', `no answer from ${this.#url} within ${timeout} ms`)), timeout)
        onAbort = () => fail(new RpcTransportError('aborted', `the call to ${this.#url} was aborted`, { cause: signal?.reason }))
        signal?.addEventListener('abort', onAbort, { once: true })
        if (ids.length > 0) {
          pending = { ids, resolve: body => resolve({ status: 200, statusText: 'OK', body }), reject }
          for (const id of ids) this.#pending.set(id, pending)
        }
        this.#open().then(socket => {
          this.#log?.(requestLogEvent(text))
          try {
            socket.send(text)
          } catch (error) {
            fail(new RpcTransportError('network', `could not send to ${this.#url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }))
            return
          }
          // A notification is owed nothing: sent is done.
          if (ids.length === 0) resolve({ status: 204, statusText: 'No Content', body: '' })
        }, fail)
      })
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Closes the socket; calls still waiting reject with kind `network`. */
  close (): void {
    this.#closedByClient = true
    clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
    const socket = this.#current
    this.#current = undefined
    this.#socket = undefined
    this.#opening = undefined
    socket?.close(1000, 'client closed')
    this.#rejectAll(new RpcTransportError('network', `the connection to ${this.#url} was closed by the client`))
  }

  async #open (): Promise<RpcWebSocket> {
    if (this.#socket !== undefined && this.#socket.readyState === WEBSOCKET_OPEN) return this.#socket
    this.#opening ??= new Promise<RpcWebSocket>((resolve, reject) => {
      let socket: RpcWebSocket
      try {
        socket = new this.#WebSocket(this.#url, undefined, { maxPayload: this.#maxMessageBytes })
      } catch (error) {
        this.#opening = undefined
        reject(new RpcTransportError('network', `could not open ${this.#url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }))
        return
      }
      this.#current = socket
      let opened = false
      socket.addEventListener('open', () => {
        opened = true
        this.#socket = socket
        resolve(socket)
      })
      let tooLarge = false
      socket.addEventListener('message', event => {
        const data = (event as SocketEventFields).data
        if (tooLarge) return
        // A class without maxPayload (a browser's) hands over the message whole: it is refused here, unread.
        if (messageExceeds(data, this.#maxMessageBytes)) {
          tooLarge = true
          this.#dropTooLarge(socket)
          return
        }
        void this.#receive(data)
      })
      socket.addEventListener('close', (closeEvent) => {
        const event = closeEvent as SocketEventFields
        if (this.#current !== socket) return
        this.#current = undefined
        this.#socket = undefined
        this.#opening = undefined
        if (!opened) reject(new RpcTransportError('network', `could not open ${this.#url}`))
        const why = `the connection to ${this.#url} closed (${event.code ?? 'no code'}${event.reason ? `: ${event.reason}` : ''})`
        this.#rejectAll(new RpcTransportError(opened ? 'connection-lost' : 'network', why))
        if (opened) this.#scheduleReconnect(1)
      })
      // 'error' is always followed by 'close', which reports it; except when
      // ws's maxPayload stopped a message before reading it: that is said at
      // once, not after a closing handshake the server may never finish (and a
      // 1009 close code alone could be the server refusing one of ours).
      socket.addEventListener('error', event => {
        if ((event as { error?: { code?: unknown } }).error?.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || tooLarge) return
        tooLarge = true
        this.#dropTooLarge(socket)
      })
    })
    return await this.#opening
  }

  /**
   * Rejects the waiting calls at once (a hostile server may never finish the
   * closing handshake) and closes with 1009 where the class allows it:
   * browsers only let a page send 1000 or 3000-4999.
   */
  #dropTooLarge (socket: RpcWebSocket): void {
    try {
      socket.close(MESSAGE_TOO_BIG, 'message too big')
    } catch {
      socket.close()
    }
    // An older socket's calls were already rejected when it was replaced.
    if (this.#current !== socket) return
    this.#current = undefined
    this.#socket = undefined
    this.#opening = undefined
    this.#rejectAll(this.#tooLarge())
  }

  /** Reopens with doubling delays until it succeeds or the client closes; then runs onReconnect. */
  #scheduleReconnect (attempt: number): void {
    const backoff = this.#reconnect
    if (backoff === undefined || this.#closedByClient || this.#reconnectTimer !== undefined) return
    const delay = Math.min(backoff.initialDelayMs * 2 ** Math.min(attempt - 1, 20), backoff.maxDelayMs)
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined
      if (this.#closedByClient) return
      this.#open().then(() => {
        try {
          this.#onReconnect?.()
        } catch (error) {
          console.error('fastify-jsonrpc: the onReconnect hook threw', error)
        }
      }, () => { this.#scheduleReconnect(attempt + 1) })
    }, delay)
  }

  #tooLarge (): RpcTransportError {
    return new RpcTransportError('too-large', `${this.#url} sent a message of more than ${this.#maxMessageBytes} bytes (the client's maxResponseBytes); the connection was closed`)
  }

  async #receive (data: unknown): Promise<void> {
    const text = await messageText(data)
    this.#log?.(socketMessageLogEvent(text))
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return
    }
    if (Array.isArray(value)) {
      const first = value.find(element => isObject(element) && element.id !== undefined && element.id !== null) as Record<string, unknown> | undefined
      this.#settle(first?.id as JsonRpcId | undefined, text)
      return
    }
    if (!isObject(value)) return
    if (typeof value.method === 'string' && !('id' in value)) {
      this.#onNotification({ method: value.method, params: value.params as JsonRpcParams | undefined })
      return
    }
    this.#settle(value.id as JsonRpcId | undefined, text)
  }

  /**
   * An answer with id null (the server could not read the message) belongs to
   * whichever exchange is waiting, when only one is.
   */
  #settle (id: JsonRpcId | undefined, text: string): void {
    let pending = id === undefined || id === null ? undefined : this.#pending.get(id)
    if (pending === undefined && (id === null || id === undefined)) {
      const waiting = new Set(this.#pending.values())
      if (waiting.size === 1) pending = [...waiting][0]
    }
    if (pending === undefined) return
    this.#forget(pending)
    pending.resolve(text)
  }

  #forget (pending: Pending | undefined): void {
    if (pending === undefined) return
    for (const id of pending.ids) if (this.#pending.get(id) === pending) this.#pending.delete(id)
  }

  #rejectAll (error: RpcTransportError): void {
    const waiting = new Set(this.#pending.values())
    this.#pending.clear()
    for (const pending of waiting) pending.reject(error)
  }
}
