import type { FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import type { JsonRpcParams } from '../protocol/messages'
import type { RpcConnection } from './call-context'
import type { Dispatcher, RpcLogger } from './dispatcher'
import { transportContext } from './transport-context'

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

export interface WebSocketTransportOptions {
  /** Most messages of one connection being answered at once (the plugin's batchConcurrency). */
  maxInFlight: number
  /** Most messages of one connection waiting for their turn (the plugin's maxBatchSize); past it the socket is closed with 1008. */
  maxQueued: number
}

/** Policy Violation: the client sent more than it may have waiting. */
const CLOSE_POLICY_VIOLATION = 1008

/**
 * The WebSocket adapter: every message is one JSON-RPC message (a call, a
 * notification or a batch) handed to the same dispatcher as HTTP; each answer
 * goes back on the socket, matched by id, in the order calls finish. Unlike
 * HTTP/1.1, one connection can send any number of messages without waiting,
 * so each connection runs at most `maxInFlight` at once and queues the rest.
 */
export function createWebSocketHandler (dispatcher: Dispatcher, options: WebSocketTransportOptions): (socket: WebSocket, request: FastifyRequest) => void {
  const { maxInFlight, maxQueued } = options
  return function handleRpcSocket (socket, request) {
    const log = request.log
    const context = transportContext(request, 'websocket', createConnection(socket, log))
    const queued: string[] = []
    let inFlight = 0

    function answer (text: string): void {
      inFlight++
      // dispatchText never rejects: a failure inside comes back as a -32603 answer.
      void dispatcher.dispatchText(text, context).then(result => {
        inFlight--
        if (result.body !== undefined && socket.readyState === OPEN) {
          try {
            socket.send(result.body)
          } catch (error) {
            log.error({ err: error }, 'a WebSocket answer could not be sent')
          }
        }
        const next = queued.shift()
        if (next !== undefined && socket.readyState === OPEN) answer(next)
      })
    }

    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const text = messageText(data)
      if (inFlight < maxInFlight) answer(text)
      else if (queued.length < maxQueued) queued.push(text)
      else socket.close(CLOSE_POLICY_VIOLATION, `more than ${maxQueued} messages waiting`)
    })
    socket.once('close', () => { queued.length = 0 })
  }
}
