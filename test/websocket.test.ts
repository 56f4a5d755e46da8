import type { AddressInfo } from 'node:net'
import { test } from 'tap'
import { WebSocket } from 'ws'
import { rpcMethod, rpcPlugin } from '../index'
import { buildDemoApp } from '../demo/app'
import { GreetingService, NEEDS_WEBSOCKET } from '../services'
import Fastify, { type FastifyInstance } from 'fastify'
import { post } from './fixtures/app'

/** A client on a real socket that collects every message it receives. */
interface Client {
  socket: WebSocket
  /** Resolves with the next message, parsed; rejects after a bounded wait. */
  next: () => Promise<any>
  send: (message: unknown) => void
}

async function listen (t: { teardown: (fn: () => unknown) => void }, app: FastifyInstance): Promise<string> {
  t.teardown(async () => await app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/rpc`
}

async function connect (t: { teardown: (fn: () => unknown) => void }, url: string): Promise<Client> {
  const socket = new WebSocket(url)
  t.teardown(() => socket.terminate())
  const inbox: unknown[] = []
  const waiting: Array<(message: unknown) => void> = []
  socket.on('message', data => {
    const message = JSON.parse(data.toString())
    const waiter = waiting.shift()
    if (waiter === undefined) inbox.push(message)
    else waiter(message)
  })
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  return {
    socket,
    send: message => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: async () => {
      if (inbox.length > 0) return inbox.shift()
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within 2 s')), 2000)
        waiting.push(message => { clearTimeout(timer); resolve(message) })
      })
    }
  }
}

test('single calls, errors, batches and parse errors over WebSocket', async t => {
  const client = await connect(t, await listen(t, await buildDemoApp()))
  client.send({ jsonrpc: '2.0', method: 'hello', params: ['Nancy'], id: 3 })
  t.same(await client.next(), { jsonrpc: '2.0', result: 'Hello, Nancy', id: 3 })
  client.send({ jsonrpc: '2.0', method: 'lid', id: 5 })
  t.same(await client.next(), { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 5 })
  client.send([{ jsonrpc: '2.0', method: 'Sum', params: [5, 7], id: 1 }, { jsonrpc: '2.0', method: 'ping' }, { jsonrpc: '2.0', method: 'hao', id: 2 }])
  t.same(await client.next(), [{ jsonrpc: '2.0', result: 12, id: 1 }, { jsonrpc: '2.0', result: 'hao', id: 2 }])
  client.send('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')
  t.same(await client.next(), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
  client.send([])
  t.match(await client.next(), { error: { code: -32600 }, id: null })
})

test('notifications get no answer over WebSocket', async t => {
  const client = await connect(t, await listen(t, await buildDemoApp()))
  client.send({ jsonrpc: '2.0', method: 'ping' })
  client.send([{ jsonrpc: '2.0', method: 'ping' }, { jsonrpc: '2.0', method: 'nope' }])
  client.send({ jsonrpc: '2.0', method: 'hao', id: 'after' })
  t.same(await client.next(), { jsonrpc: '2.0', result: 'hao', id: 'after' }, 'the first message back answers the call sent after the notifications')
})

test('the same limits apply: batch size, and message size (closed with 1009)', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new GreetingService()], websocket: true, maxBatchSize: 2, bodyLimit: 200 })
  const client = await connect(t, await listen(t, app))
  client.send([1, 2, 3])
  t.match(await client.next(), { error: { code: -32600, message: /at most 2 calls/ }, id: null })
  const closed = new Promise<number>(resolve => client.socket.once('close', code => resolve(code)))
  client.send({ jsonrpc: '2.0', method: 'hello', params: ['x'.repeat(500)], id: 1 })
  t.equal(await closed, 1009, 'a message over bodyLimit closes the socket with 1009 Message Too Big')
})

test('the server pushes ticker notifications to a subscribed client until it unsubscribes', async t => {
  const client = await connect(t, await listen(t, await buildDemoApp()))
  client.send({ jsonrpc: '2.0', method: 'subscribe_ticker', params: [50], id: 1 })
  const subscribed = await client.next()
  t.match(subscribed, { jsonrpc: '2.0', result: /^ticker-\d+$/, id: 1 })
  const first = await client.next()
  const second = await client.next()
  t.match(first, { jsonrpc: '2.0', method: 'ticker', params: { subscription: subscribed.result, seq: 1 } })
  t.notOk('id' in first, 'a push is a notification: no id')
  t.match(second, { method: 'ticker', params: { subscription: subscribed.result, seq: 2 } })
  client.send({ jsonrpc: '2.0', method: 'unsubscribe_ticker', params: [subscribed.result], id: 2 })
  let reply = await client.next()
  while (reply.method === 'ticker') reply = await client.next()
  t.same(reply, { jsonrpc: '2.0', result: true, id: 2 })
  await new Promise(resolve => setTimeout(resolve, 150))
  client.send({ jsonrpc: '2.0', method: 'ping', id: 3 })
  t.same(await client.next(), { jsonrpc: '2.0', result: 'ping', id: 3 }, 'no more ticks after unsubscribing')
})

test('subscriptions need WebSocket; over HTTP they are refused clearly', async t => {
  const app = await buildDemoApp()
  t.teardown(async () => await app.close())
  const reply = await post(app, { jsonrpc: '2.0', method: 'subscribe_ticker', params: [100], id: 1 })
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: NEEDS_WEBSOCKET, message: 'Subscriptions need a WebSocket connection' }, id: 1 })
})

test('a plain GET is still 405, and without the option there is no WebSocket', async t => {
  const withSocket = await buildDemoApp()
  t.teardown(async () => await withSocket.close())
  const get = await withSocket.inject({ method: 'GET', url: '/rpc' })
  t.equal(get.statusCode, 405)
  t.equal(get.headers.allow, 'POST')

  const app = Fastify()
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  const url = await listen(t, app)
  const socket = new WebSocket(url)
  socket.on('error', () => {}) // the refused handshake also reports an error
  t.teardown(() => socket.terminate())
  const status = await new Promise(resolve => socket.once('unexpected-response', (_request, response) => resolve(response.statusCode)))
  t.equal(status, 405, 'the upgrade is refused')
})

class SlowService {
  running = 0
  mostAtOnce = 0

  @rpcMethod()
  async slow (ms: number): Promise<number> {
    this.running++
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running)
    await new Promise(resolve => setTimeout(resolve, ms))
    this.running--
    return ms
  }
}

test('one connection runs at most batchConcurrency messages at once and queues the rest', async t => {
  const service = new SlowService()
  const app = Fastify()
  await app.register(rpcPlugin, { services: [service], websocket: true, batchConcurrency: 2 })
  const client = await connect(t, await listen(t, app))
  for (let id = 1; id <= 6; id++) client.send({ jsonrpc: '2.0', method: 'slow', params: [20], id })
  const ids: number[] = []
  for (let i = 0; i < 6; i++) ids.push((await client.next()).id)
  t.same(ids.sort(), [1, 2, 3, 4, 5, 6], 'every queued message is answered')
  t.equal(service.mostAtOnce, 2)
})

test('more messages waiting than maxBatchSize: reading pauses and every one is answered', async t => {
  const service = new SlowService()
  const app = Fastify()
  await app.register(rpcPlugin, { services: [service], websocket: true, batchConcurrency: 1, maxBatchSize: 3 })
  const client = await connect(t, await listen(t, app))
  for (let id = 1; id <= 8; id++) client.send({ jsonrpc: '2.0', method: 'slow', params: [5], id })
  const ids: number[] = []
  for (let i = 0; i < 8; i++) ids.push((await client.next()).id)
  t.same(ids, [1, 2, 3, 4, 5, 6, 7, 8], 'answered in order, one at a time')
  t.equal(client.socket.readyState, WebSocket.OPEN, 'the connection stays open')
  t.equal(service.mostAtOnce, 1)
})
