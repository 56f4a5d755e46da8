import 'reflect-metadata'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { rpcMethod, rpcPlugin, RpcError, type RpcPluginOptions } from '../../index'
import { GreetingService } from '../../services'

/** The minimal slice of a tap test these helpers need. */
interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** The seed's methods plus a few that exercise the client's error paths. */
export class ClientTestService extends GreetingService {
  readonly notified: unknown[] = []

  @rpcMethod()
  async sleep (ms: number): Promise<string> {
    await new Promise(resolve => setTimeout(resolve, ms))
    return `slept ${ms}`
  }

  @rpcMethod()
  refuse (reason: string): never {
    throw new RpcError(-32050, 'Refused', { reason })
  }

  @rpcMethod()
  record (value: unknown): void {
    this.notified.push(value)
  }

  @rpcMethod()
  async echo (value: unknown): Promise<unknown> {
    return value
  }
}

export interface TestServer {
  app: FastifyInstance
  url: string
  service: ClientTestService
  /** The request headers of every POST the server received, in order. */
  headers: Array<Record<string, string | string[] | undefined>>
}

/** A real server on 127.0.0.1 with a port the system chose, closed when the test ends. */
export async function startServer (t: Teardown, options: Partial<RpcPluginOptions> = {}): Promise<TestServer> {
  const service = new ClientTestService()
  const headers: TestServer['headers'] = []
  // Closing must not wait for a call the client gave up on, nor for kept-alive sockets.
  const app = Fastify({ forceCloseConnections: true })
  app.addHook('onRequest', async request => { headers.push(request.headers) })
  await app.register(rpcPlugin, { services: [service], ...options })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => await app.close())
  const { port } = app.server.address() as AddressInfo
  return { app, url: `http://127.0.0.1:${port}/rpc`, service, headers }
}

export interface RawAnswer {
  status: number
  body: string
  contentType?: string
}

/**
 * A bare node:http server on 127.0.0.1 that answers whatever the test says,
 * given the request body: for answers no correct JSON-RPC server gives.
 */
export async function startRawServer (t: Teardown, answer: (body: string) => RawAnswer): Promise<{ url: string, bodies: string[] }> {
  const bodies: string[] = []
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => { body += chunk })
    request.on('end', () => {
      bodies.push(body)
      const { status, body: text, contentType = 'application/json' } = answer(body)
      response.writeHead(status, { 'content-type': contentType })
      response.end(text)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { server.close(); await once(server, 'close') })
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/rpc`, bodies }
}

/** A URL on 127.0.0.1 where nothing listens: a port that was just bound, then closed. */
export async function closedPortUrl (): Promise<string> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return `http://127.0.0.1:${port}/rpc`
}
