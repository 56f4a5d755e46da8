import type { IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { WebSocket, type ClientOptions, type WebSocketServer } from 'ws'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** Starts the app on a free loopback port (closed when the test ends) and returns the RPC endpoint's ws: URL. */
export async function listenWs (t: Teardown, app: FastifyInstance, path = '/rpc'): Promise<string> {
  t.teardown(async () => await app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}${path}`
}

/** A real ws client that keeps every message it receives, parsed, and how it closed. */
export interface Peer {
  socket: WebSocket
  received: any[]
  send: (message: unknown) => void
  /** Resolves once `count` messages have arrived in all; rejects after `withinMs`. */
  receivedCount: (count: number, withinMs?: number) => Promise<any[]>
  /** Resolves with the close code and reason; rejects after `withinMs`. */
  closed: (withinMs?: number) => Promise<{ code: number, reason: string }>
}

export async function openPeer (t: Teardown, url: string, options?: ClientOptions): Promise<Peer> {
  const socket = new WebSocket(url, options)
  t.teardown(() => socket.terminate())
  const received: any[] = []
  const arrivals: Array<() => void> = []
  socket.on('message', data => {
    received.push(JSON.parse(data.toString()))
    for (const check of arrivals.slice()) check()
  })
  const closing = new Promise<{ code: number, reason: string }>(resolve => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  socket.on('error', () => {}) // a cut-off connection also reports an error; its close is what tests look at
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  return {
    socket,
    received,
    send: message => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    receivedCount: async (count, withinMs = 10_000) => await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${received.length} of ${count} messages within ${withinMs} ms`)), withinMs)
      const check = (): void => {
        if (received.length < count) return
        clearTimeout(timer)
        arrivals.splice(arrivals.indexOf(check), 1)
        resolve(received)
      }
      arrivals.push(check)
      check()
    }),
    closed: async (withinMs = 10_000) => await withinTime(closing, withinMs, 'the connection did not close')
  }
}

export async function withinTime<T> (pending: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms) })
  try {
    return await Promise.race([pending, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `condition` every 5 ms until it holds; rejects after `withinMs`. */
export async function until (condition: () => boolean, withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${withinMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/** The server's side of the next connection the ws server accepts, and the TCP socket under it. */
export async function nextServerSide (websocketServer: WebSocketServer): Promise<{ socket: WebSocket, tcp: Socket }> {
  return await new Promise(resolve => {
    websocketServer.once('connection', (socket: WebSocket, request: IncomingMessage) => resolve({ socket, tcp: request.socket }))
  })
}
