import type { FastifyRequest } from 'fastify'
import type { JsonRpcId, JsonRpcParams } from '../../protocol/messages'
import type { RpcLogger } from './logger'

/**
 * A live connection that can carry messages from the server to the client
 * (WebSocket). Over plain HTTP there is none.
 */
export interface RpcConnection {
  /** Sends a JSON-RPC notification to this client; false when the connection has closed. */
  notify: (method: string, params?: JsonRpcParams) => boolean
  readonly open: boolean
  /** Runs `listener` once when the connection closes (at once if it already has). */
  onClose: (listener: () => void) => void
  /**
   * Subscribes this connection to `topic`: every `fastify.rpc.publish(topic, ...)`
   * from any process sharing the broker is sent to it as a notification, until
   * the returned function is called or the connection closes. Subscribing to a
   * topic twice is one subscription. Throws an RpcError when the connection has
   * `websocket.maxSubscriptions` topics already or the topic is not a string of
   * 1 to 256 characters.
   */
  subscribe: (topic: string) => () => void
}

/**
 * What a method or a guard may know about the call it serves. Fastify is only a
 * type here: the engine passes whatever request its transport gives it.
 */
export interface RpcContext<TRequest = FastifyRequest> {
  /** The transport's request: for HTTP and WebSocket, the Fastify request (headers, auth decorations). */
  readonly request: TRequest
  /** The request's logger (carries the request id). */
  readonly log: RpcLogger
  /** The JSON-RPC method name called. */
  readonly method: string
  /** The call's id; undefined for a notification. */
  readonly id: JsonRpcId | undefined
  readonly transport: 'http' | 'websocket' | (string & {})
  /** Present over transports that can push notifications to the client. */
  readonly connection: RpcConnection | undefined
  /**
   * Aborted when the client goes away (the HTTP request or the WebSocket
   * closed) or the call's timeout expires, so the method can stop its work.
   * Undefined only when the engine is driven without a transport signal and
   * the method has no timeout.
   */
  readonly signal: AbortSignal | undefined
}

/**
 * Decides whether a call may run. Return false to refuse with -32001
 * Unauthorized, or throw an RpcError to refuse with another error.
 */
export type RpcGuard<TRequest = FastifyRequest> = (context: RpcContext<TRequest>) => boolean | Promise<boolean>
