import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { RawData, WebSocket } from 'ws'
import type { JsonRpcParams } from '../../protocol/messages'
import type { RpcConnection } from '../contracts/call-context'
import type { DispatchContext, DispatchResult, Dispatcher } from '../dispatch/dispatcher'
import { transportContext } from './transport-context'
import { WEBSOCKET_OPEN } from '../../protocol/checks'
import { INVALID_PARAMS, LIMIT_EXCEEDED } from '../../protocol/error-codes'
import { RpcError } from '../../protocol/rpc-error'
import { isTopic, MAX_TOPIC_LENGTH, type RpcTopics } from '../pubsub/topics'

const CLOSED = 3

/** The close codes the transport uses (RFC 6455, section 7.4.1). */
export const CLOSE_NORMAL = 1000
export const CLOSE_POLICY_VIOLATION = 1008
export const CLOSE_MESSAGE_TOO_BIG = 1009
export const CLOSE_TRY_AGAIN_LATER = 1013

/**
 * How long a peer has to answer a close frame the server sent (ws itself
 * waits 30 s). A slow reader's close frame waits behind the answers it has not
 * taken: past this the socket is destroyed and whatever is unsent is freed.
 */
export const CLOSE_GRACE_MS = 2000

/** Sends a close frame, and destroys the socket if the closing handshake has not finished CLOSE_GRACE_MS later. */
export function closeWithin (socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason)
  const cutOff = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS)
  cutOff.unref()
  socket.once('close', () => clearTimeout(cutOff))
}

export interface SessionLimits {
  /** Most messages of the connection being answered at once. */
  maxInFlight: number
  /** Most messages waiting for a slot before reading pauses. */
  maxQueuedMessages: number
  /** Most bytes of messages waiting for a slot before reading pauses. */
  maxQueuedBytes: number
  /** Unsent output above which no new message is started. */
  maxBufferedBytes: number
  /** Unsent output above which the next send closes the connection instead. */
  closeBufferedBytes: number
  /** Largest message accepted; a larger one closes the connection with 1009. */
  bodyLimit: number
  /** Most topics one connection may be subscribed to at once. */
  maxSubscriptions: number
}

interface QueuedMessage {
  text: string
  bytes: number
}

function byteLengthOf (data: RawData): number {
  if (Array.isArray(data)) {
    let total = 0
    for (const fragment of data) total += fragment.length
    return total
  }
  return data.byteLength
}

/** A string copy: the Buffer ws hands over may be a view that keeps a whole socket read alive. */
function messageText (data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

/**
 * The server's side of one WebSocket: takes its messages, runs at most
 * `maxInFlight` of them at once, queues the rest within byte and count bounds
 * (reading pauses when they are reached, so a burst waits in TCP buffers
 * instead of in memory), and writes answers with an eye on what the client has
 * not read yet. Once the connection closes, its queue is dropped, nothing new
 * starts, and `DispatchContext.signal` aborts for the calls still running.
 */
export class RpcSocketSession {
  readonly connection: RpcConnection
  /** Date.now() of the last message received or sent: what the idle timeout measures. */
  lastActivity = Date.now()
  /** A ping was sent and its pong has not come back yet. */
  awaitingPong = false

  private readonly context: DispatchContext
  private readonly log: FastifyBaseLogger
  private readonly abort = new AbortController()
  private readonly queue: QueuedMessage[] = []
  private readonly closeListeners: Array<() => void> = []
  /** Topic -> its unsubscribe: dropped the moment the connection stops taking work. */
  private readonly subscriptions = new Map<string, () => void>()
  private queuedBytes = 0
  private inFlight = 0
  /** A turn of the event loop is booked to start queued messages. */
  private drainScheduled = false
  /** Set when the connection stops taking work: closing (either side) or closed. */
  private stopped = false

  constructor (
    private readonly socket: WebSocket,
    request: FastifyRequest,
    private readonly dispatcher: Dispatcher,
    private readonly limits: SessionLimits,
    private readonly topics: Pick<RpcTopics, 'subscribe'>
  ) {
    this.log = request.log
    this.connection = this.buildConnection()
    this.context = { ...transportContext(request, 'websocket', this.connection), signal: this.abort.signal }
    socket.on('message', this.receive)
    socket.on('pong', () => { this.awaitingPong = false })
    socket.once('close', this.closed)
  }

  /** True once the connection stopped taking work: it is closing or closed. */
  get closing (): boolean {
    return this.stopped
  }

  /** True while calls run or wait: such a connection is not idle. */
  get busy (): boolean {
    return this.inFlight > 0 || this.queue.length > 0
  }

  /**
   * Reading is paused because of this server's own backlog (its slots and queue
   * are full), not because the client leaves answers unread: a pong may be
   * waiting unread in the socket, so a missing one proves nothing.
   */
  get heldByOwnWork (): boolean {
    return this.socket.isPaused && this.socket.bufferedAmount <= this.limits.maxBufferedBytes
  }

  ping (): void {
    this.awaitingPong = true
    this.socket.ping()
  }

  /** Closes the connection with `code`; whatever it had waiting is dropped. */
  close (code: number, reason: string): void {
    this.stopWork()
    closeWithin(this.socket, code, reason)
  }

  /** For a peer that cannot take a close frame (it stopped answering pings); `why` is logged. */
  terminate (why: string): void {
    this.log.info(why)
    this.stopWork()
    this.socket.terminate()
  }

  private readonly receive = (data: RawData): void => {
    if (this.stopped) return
    const bytes = byteLengthOf(data)
    if (bytes > this.limits.bodyLimit) {
      // ws already refuses these when the plugin registered @fastify/websocket itself; an app's own registration may allow more.
      this.close(CLOSE_MESSAGE_TOO_BIG, `message of ${bytes} bytes; the limit is ${this.limits.bodyLimit}`)
      return
    }
    this.lastActivity = Date.now()
    const text = messageText(data)
    if (this.queue.length === 0 && this.canStart()) {
      this.start(text)
    } else {
      this.queue.push({ text, bytes })
      this.queuedBytes += bytes
      this.updateReading()
    }
  }

  private canStart (): boolean {
    return !this.stopped && this.inFlight < this.limits.maxInFlight && this.socket.bufferedAmount <= this.limits.maxBufferedBytes
  }

  private start (text: string): void {
    this.inFlight++
    // dispatchText never rejects: a failure inside comes back as a -32603 answer.
    void this.dispatcher.dispatchText(text, this.context).then(this.answered)
  }

  private readonly answered = (result: DispatchResult): void => {
    this.inFlight--
    if (this.stopped) return
    if (result.body !== undefined) this.send(result.body)
    if (this.queue.length === 0) {
      this.updateReading()
    } else if (!this.drainScheduled) {
      // Answers of synchronous methods settle as microtasks: starting the next queued message
      // from here would run a whole backlog (2,000 pings in one socket read) without ever
      // yielding, and every other connection would wait. One event-loop turn per round of slots.
      this.drainScheduled = true
      setImmediate(this.drainQueue)
    }
  }

  private readonly drainQueue = (): void => {
    this.drainScheduled = false
    this.startWaiting()
  }

  /** Starts queued messages while there is room, then decides whether to read on. */
  private startWaiting (): void {
    while (this.queue.length > 0 && this.canStart()) {
      const next = this.queue.shift() as QueuedMessage
      this.queuedBytes -= next.bytes
      this.start(next.text)
    }
    this.updateReading()
  }

  /**
   * Pausing stops ws reading the socket: the client's further messages wait
   * in TCP buffers (its sends slow down) rather than in this process. What ws
   * had already read still arrives and is queued: at most one socket read.
   */
  private updateReading (): void {
    if (this.stopped) return
    const full = this.queue.length >= this.limits.maxQueuedMessages ||
      this.queuedBytes >= this.limits.maxQueuedBytes ||
      this.socket.bufferedAmount > this.limits.maxBufferedBytes
    if (full) {
      if (!this.socket.isPaused) this.socket.pause()
    } else if (this.socket.isPaused) {
      this.socket.resume()
    }
  }

  /** Every send reports back when the socket took it, so the session learns when unsent output drains. */
  private readonly sent = (): void => {
    if (!this.stopped) this.startWaiting()
  }

  private send (text: string): boolean {
    if (this.stopped || this.socket.readyState !== WEBSOCKET_OPEN) return false
    const unsent = this.socket.bufferedAmount
    if (unsent > this.limits.closeBufferedBytes) {
      this.closeSlowReader(unsent)
      return false
    }
    this.lastActivity = Date.now()
    this.socket.send(text, this.sent)
    return true
  }

  private closeSlowReader (unsent: number): void {
    this.log.info({ unsentBytes: unsent, limit: this.limits.closeBufferedBytes, subscriptions: this.subscriptions.size }, 'closing a WebSocket client that does not read its answers')
    this.close(CLOSE_POLICY_VIOLATION, `the client does not read its messages (over ${this.limits.closeBufferedBytes} bytes unsent)`)
  }

  private stopWork (): void {
    if (this.stopped) return
    this.stopped = true
    this.queue.length = 0
    this.queuedBytes = 0
    this.abort.abort(new Error('the WebSocket connection closed'))
    for (const unsubscribe of this.subscriptions.values()) unsubscribe()
    this.subscriptions.clear()
    // Messages are ignored from now on; reading again lets the peer's close frame in, so the closing handshake can finish.
    if (this.socket.isPaused) this.socket.resume()
  }

  private readonly closed = (): void => {
    this.stopWork()
    for (const listener of this.closeListeners.splice(0)) {
      try {
        listener()
      } catch (error) {
        this.log.error({ err: error }, 'a WebSocket close listener failed')
      }
    }
  }

  /** Published messages go through the same bounded send as answers: a reader that falls behind is closed with 1008. */
  private subscribe (topic: string): () => void {
    if (!isTopic(topic)) throw new RpcError(INVALID_PARAMS, 'Invalid params', [{ path: '/topic', message: `a topic is a string of 1 to ${MAX_TOPIC_LENGTH} characters` }])
    const existing = this.subscriptions.get(topic)
    if (existing !== undefined) return existing
    if (this.stopped) return () => {}
    if (this.subscriptions.size >= this.limits.maxSubscriptions) {
      throw new RpcError(LIMIT_EXCEEDED, 'Limit exceeded', { maxSubscriptions: this.limits.maxSubscriptions })
    }
    const leave = this.topics.subscribe(topic, this.deliver)
    const unsubscribe = (): void => {
      if (this.subscriptions.get(topic) !== unsubscribe) return
      this.subscriptions.delete(topic)
      leave()
    }
    this.subscriptions.set(topic, unsubscribe)
    return unsubscribe
  }

  private readonly deliver = (text: string): void => { this.send(text) }

  /** What methods see as `ctx.connection`: pushes go through the same bounded send as answers. */
  private buildConnection (): RpcConnection {
    const session = this
    return {
      get open () { return !session.stopped && session.socket.readyState === WEBSOCKET_OPEN },
      notify (method, params?: JsonRpcParams) {
        return session.send(JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }))
      },
      onClose (listener) {
        if (session.socket.readyState !== CLOSED) session.closeListeners.push(listener)
        else listener()
      },
      subscribe: topic => session.subscribe(topic)
    }
  }
}
