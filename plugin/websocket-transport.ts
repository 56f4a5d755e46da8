import type { FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { JsonRpcParams } from '../protocol/messages'
import type { RpcConnection } from './call-context'
import type { DispatchContext, Dispatcher, RpcLogger } from './dispatcher'

const OPEN = 1

/** The server's side of one WebSocket: pushes notifications, tells who listens when it closes. */
function createConnection (socket: WebSocket, log: RpcLogger): RpcConnection {
  const closeListeners: Array<() => void> = []
  let open = true
  socket.once('close', () => {
    open = false
    for (const listener of closeListeners.splice(0)) {
      try {
        listener()
      } catch (error) {
        log.error({ err: error }, 'a WebSocket close listener failed')
      }
    }
  })
  return {
    get open () { return open && socket.readyState === OPEN },
    notify (method, params?: JsonRpcParams) {
      if (!open || socket.readyState !== OPEN) return false
      socket.send(JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }))
      return true
    },
    onClose (listener) {
      if (open) closeListeners.push(listener)
      else listener()
    }
  }
}

function messageText (data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

interface LevelAwareLogger extends RpcLogger {
  isLevelEnabled?: (level: string) => boolean
}

/**
 * The WebSocket adapter: every message is one JSON-RPC message (a call, a
 * notification or a batch) handed to the same dispatcher as HTTP; each answer
 * goes back on the socket, matched by id, in the order calls finish.
 */
export function createWebSocketHandler (dispatcher: Dispatcher): (socket: WebSocket, request: FastifyRequest) => void {
  return function handleRpcSocket (socket, request) {
    const log = request.log as LevelAwareLogger
    const context: DispatchContext = {
      log,
      logCalls: log.isLevelEnabled?.('debug') === true,
      request,
      transport: 'websocket',
      connection: createConnection(socket, log)
    }
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      // dispatchText never rejects: a failure inside comes back as a -32603 answer.
      void dispatcher.dispatchText(messageText(data), context).then(result => {
        if (result.body === undefined || socket.readyState !== OPEN) return
        try {
          socket.send(result.body)
        } catch (error) {
          log.error({ err: error }, 'a WebSocket answer could not be sent')
        }
      })
    })
  }
}
