import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { Dispatcher } from '../dispatch/dispatcher'
import type { WebSocketLimits } from '../options'
import type { TransportObserver } from '../contracts/call-observer'
import type { RpcTopics } from '../pubsub/topics'
import { ConnectionLiveness } from './websocket-liveness'
import { CLOSE_TRY_AGAIN_LATER, closeWithin, RpcSocketSession, type SessionLimits } from './websocket-session'

export interface WebSocketTransportOptions {
  /** Most messages of one connection being answered at once (the plugin's batchConcurrency). */
  maxInFlight: number
  /** Most messages of one connection waiting for their turn before reading pauses (the plugin's maxBatchSize). */
  maxQueued: number
  /** Largest message in bytes (the plugin's bodyLimit). */
  bodyLimit: number
  /** The `websocket` option's limits. */
  limits: WebSocketLimits
  /** Told of connections opened, closed and refused; the plugin's telemetry. */
  observer?: TransportObserver
  /** What `ctx.connection.subscribe` joins; without it, subscribing throws (the plugin always gives one). */
  topics?: Pick<RpcTopics, 'subscribe'>
}

const NO_TOPICS: Pick<RpcTopics, 'subscribe'> = {
  subscribe () { throw new Error('fastify-jsonrpc: this WebSocket handler was created without topics') }
}

/**
 * The WebSocket adapter: every message is one JSON-RPC message (a call, a
 * notification or a batch) handed to the same dispatcher as HTTP; each answer
 * goes back on the socket, matched by id, in the order calls finish. Unlike
 * HTTP/1.1, one connection can send any number of messages without waiting;
 * each connection is an RpcSocketSession that bounds what it runs, queues and
 * leaves unsent. This plugin instance serves at most `maxConnections` at once,
 * and keeps them alive (heartbeat) or closes them (idle timeout).
 */
export function buildWebSocketHandler (dispatcher: Dispatcher, options: WebSocketTransportOptions): (socket: WebSocket, request: FastifyRequest) => void {
  const { limits, observer } = options
  const sessionLimits: SessionLimits = {
    maxInFlight: options.maxInFlight,
    maxQueuedMessages: options.maxQueued,
    maxQueuedBytes: limits.maxQueuedBytes,
    maxBufferedBytes: limits.maxBufferedBytes,
    closeBufferedBytes: limits.closeBufferedBytes,
    bodyLimit: options.bodyLimit,
    maxSubscriptions: limits.maxSubscriptions
  }
  const liveness = new ConnectionLiveness(limits)
  return function handleRpcSocket (socket, request) {
    if (liveness.size >= limits.maxConnections) {
      request.log.info({ maxConnections: limits.maxConnections }, 'refusing a WebSocket connection over the limit')
      closeWithin(socket, CLOSE_TRY_AGAIN_LATER, `too many connections (at most ${limits.maxConnections})`)
      observer?.refused('websocket_connections')
      return
    }
    const session = new RpcSocketSession(socket, request, dispatcher, sessionLimits, options.topics ?? NO_TOPICS)
    liveness.add(session)
    observer?.connectionOpened()
    socket.once('close', () => {
      liveness.delete(session)
      observer?.connectionClosed()
    })
  }
}

/**
 * When the app registered @fastify/websocket itself, ws reads whole messages
 * up to its own `maxPayload` (100 MiB by default) before the plugin can refuse
 * one over `bodyLimit`. The plugin still closes such a connection with 1009,
 * but says once at start-up how to stop ws reading that much.
 */
export function warnIfWsReadsMore (websocketServer: unknown, bodyLimit: number, log: FastifyBaseLogger): void {
  const maxPayload = (websocketServer as { options?: { maxPayload?: unknown } } | undefined)?.options?.maxPayload
  if (typeof maxPayload === 'number' && (maxPayload === 0 || maxPayload > bodyLimit)) {
    log.warn(`fastify-jsonrpc: @fastify/websocket reads messages up to ${maxPayload === 0 ? 'any size' : `${maxPayload} bytes`} before the plugin refuses those over bodyLimit (${bodyLimit}); register it with { options: { maxPayload: ${bodyLimit} } }`)
  }
}
