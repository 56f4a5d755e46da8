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
