import type { ServerResponse } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { RpcConnection } from '../contracts/call-context'
import type { RpcLogger } from '../contracts/logger'
import type { DispatchContext } from '../dispatch/dispatcher'

interface LevelAwareLogger extends RpcLogger {
  isLevelEnabled?: (level: string) => boolean
}

/**
 * What the dispatcher needs from a Fastify request, for either transport.
 * Whether calls are logged is decided here, once per request or connection.
 */
export function transportContext (request: FastifyRequest, transport: 'http' | 'websocket', connection?: RpcConnection, signal?: AbortSignal): DispatchContext {
  const log = request.log as LevelAwareLogger
  return { log, logCalls: log.isLevelEnabled?.('debug') === true, request, transport, connection, signal }
}

/**
 * The dispatch context of one HTTP request. Its `signal` (aborted when the
 * connection closes before the answer was written) is made on first use: only
 * calls that take an `RpcContext` or batches that wait ask for it, and an
 * AbortController with a 'close' listener on every request cost a single call
 * about a tenth of its CPU time.
 */
export class HttpDispatchContext implements DispatchContext {
  readonly transport = 'http'
  readonly connection = undefined
  readonly logCalls: boolean
  readonly log: RpcLogger
  #signal: AbortSignal | undefined

  constructor (readonly request: FastifyRequest, private readonly response: ServerResponse) {
    const log = request.log as LevelAwareLogger
    this.log = log
    this.logCalls = log.isLevelEnabled?.('debug') === true
  }

  /** The response's 'close' is the event to watch: the request's own fires once its body has been read. */
  get signal (): AbortSignal {
    if (this.#signal === undefined) {
      const controller = new AbortController()
      const response = this.response
      if (this.senderGone()) controller.abort()
      else response.once('close', () => { if (!response.writableFinished) controller.abort() })
      this.#signal = controller.signal
    }
    return this.#signal
  }

  senderGone (): boolean {
    return (this.response.destroyed || this.response.closed) && !this.response.writableFinished
  }
}
