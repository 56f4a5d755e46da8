import type { JsonRpcId } from '../../protocol/messages'

/**
 * The seam between the engine and whatever watches calls (the telemetry in
 * plugin/telemetry/). The engine knows only these shapes; an observer is
 * decided at registration, per method, so a method nobody watches costs the
 * engine nothing per call. Every function here must never throw: an observer
 * swallows its own failures, so a broken watcher cannot change an answer.
 */

/** How one call ended, as the engine answered it. */
export interface CallEnding {
  /** The JSON-RPC error code answered; 0 for a success (and for a notification that ran). */
  readonly errorCode: number
  /** The error message answered, when the answer is an error. */
  readonly errorMessage?: string
  /** What the method threw when it was not an RpcError (answered -32603); undefined otherwise. */
  readonly thrown?: unknown
  /** True when the call was refused because `maxInFlight` calls were running. */
  readonly busy?: boolean
}

/** One call being watched, from its start to its answer. */
export interface CallWatch {
  /** Runs the call in the watch's scope (the call's span made current), exactly once. */
  run: <T>(call: () => T) => T
  end: (ending: CallEnding) => void
}

/** Watches the calls of one method (or of every name no method answers). */
export interface CallObserver {
  /**
   * A call starts. `id` is undefined for a notification; `request` is the
   * transport's request (for HTTP and WebSocket, the Fastify request).
   */
  start: (id: JsonRpcId | undefined, transport: string, request: unknown) => CallWatch
}

/** What a dispatcher reports to its observer, decided once when it is built. */
export interface DispatchObserver {
  /** The observer of a method, or undefined when that method is not watched. Asked once per method, at start-up. */
  forMethod: (name: string, options: { readonly telemetry?: boolean }) => CallObserver | undefined
  /** Watches calls of names no method answers (Method not found). */
  readonly unlisted: CallObserver
  /** A batch of `size` elements arrived; `refused` when it is over `maxBatchSize`. */
  batch: (size: number, refused: boolean) => void
}

/** The limits a transport refuses at, as telemetry counts them. */
export type TransportRefusal = 'body_size' | 'websocket_connections'

/** What a transport reports: refusals the engine never sees, and open connections. */
export interface TransportObserver {
  refused: (limit: TransportRefusal) => void
  connectionOpened: () => void
  connectionClosed: () => void
}
