import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { test } from 'tap'
import { WebSocket } from 'ws'
import { RpcClient, RpcTransportError, rpcMethod, rpcPlugin } from '../index'
import { TopicService } from './fixtures/topic-service'

class Slow {
  @rpcMethod()
  async wait (ms: number): Promise<number> {
    await new Promise(resolve => setTimeout(resolve, ms))
    return ms
  }
}

async function startServer (port = 0): Promise<{ app: ReturnType<typeof Fastify>, port: number }> {
  const app = Fastify({ forceCloseConnections: true })
  await app.register(rpcPlugin, { services: [new TopicService(), new Slow()], websocket: true })
  await app.listen({ host: '127.0.0.1', port })
  return { app, port: (app.server.address() as AddressInfo).port }
}

test('calls in flight when the socket drops fail with kind connection-lost, never hang; the client reconnects with backoff, runs onReconnect, and subscriptions resume', async t => {
  let server = await startServer()
  const { port } = server
  t.teardown(async () => await server.app.close())
  let reconnects = 0
  const client = new RpcClient(`ws://127.0.0.1:${port}/rpc`, {
    WebSocket,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    onReconnect: async again => {
      reconnects++
      await again.request('join', 'news')
    }
  })
  t.teardown(() => client.close())
  const headlines: unknown[] = []
  client.onNotification('headline', params => { headlines.push(params) })
  t.equal(await client.request('join', 'news'), true)
  await server.app.rpc.publish('news', 'headline', [1])
  await until(() => headlines.length === 1)

  const waiting = client.request('wait', 5000).catch((error: unknown) => error)
  await new Promise(resolve => setTimeout(resolve, 100))
  await server.app.close()
  const lost = await waiting
  t.type(lost, RpcTransportError)
  t.equal((lost as RpcTransportError).kind, 'connection-lost')

  // Down for a while: the client keeps trying with backoff; then the server is back on the same port.
  await new Promise(resolve => setTimeout(resolve, 400))
  server = await startServer(port)
  await until(() => reconnects === 1 && server.app.rpc.localSubscriptions === 1)
  await server.app.rpc.publish('news', 'headline', [2])
  await until(() => headlines.length === 2)
  t.same(headlines, [[1], [2]], 'delivery resumed after onReconnect subscribed again')
  t.equal(reconnects, 1)
})

test('without reconnect, a dropped connection still fails waiting calls as connection-lost and the next call opens a new one', async t => {
  let server = await startServer()
  const { port } = server
  t.teardown(async () => await server.app.close())
  const client = new RpcClient(`ws://127.0.0.1:${port}/rpc`, { WebSocket })
  t.teardown(() => client.close())
  const waiting = client.request('wait', 5000).catch((error: unknown) => error)
  await new Promise(resolve => setTimeout(resolve, 100))
  await server.app.close()
  t.equal((await waiting as RpcTransportError).kind, 'connection-lost')
  server = await startServer(port)
  t.equal(await client.request('ping'), 'pong')
})

async function until (condition: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
