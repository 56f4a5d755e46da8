import 'reflect-metadata'
import Fastify from 'fastify'
import { test } from 'tap'
import { rpcPlugin, LIMIT_EXCEEDED } from '../index'
import { TopicService } from './fixtures/topic-service'
import { listenWs, openPeer, type Peer } from './helpers/websocket-peer'

async function joined (peer: Peer, topic: string, id: number): Promise<void> {
  const before = peer.received.length
  peer.send({ jsonrpc: '2.0', method: 'join', params: [topic], id })
  const [answer] = (await peer.receivedCount(before + 1)).slice(before)
  if (answer.result !== true) throw new Error(`join ${topic} answered ${JSON.stringify(answer)}`)
}

test('publish reaches every connection subscribed to the topic, and only those, as a notification', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()], websocket: true })
  const url = await listenWs(t, app)
  const [a, b, c] = await Promise.all([openPeer(t, url), openPeer(t, url), openPeer(t, url)])
  await joined(a, 'news', 1)
  await joined(b, 'news', 1)
  await joined(c, 'sport', 1)
  t.equal(app.rpc.localSubscriptions, 3)
  await app.rpc.publish('news', 'headline', { title: 'hello' })
  const [fromA, fromB] = await Promise.all([a.receivedCount(2), b.receivedCount(2)])
  t.same(fromA[1], { jsonrpc: '2.0', method: 'headline', params: { title: 'hello' } })
  t.same(fromB[1], { jsonrpc: '2.0', method: 'headline', params: { title: 'hello' } })
  await app.rpc.publish('sport', 'score')
  t.same((await c.receivedCount(2))[1], { jsonrpc: '2.0', method: 'score' }, 'no params: none sent')
  t.equal(a.received.length, 2, 'a did not get the other topic')
})

test('order is kept per topic per connection; subscribing twice is one subscription; unsubscribe stops delivery', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()], websocket: true })
  const url = await listenWs(t, app)
  const peer = await openPeer(t, url)
  await joined(peer, 'seq', 1)
  await joined(peer, 'seq', 2)
  t.equal(app.rpc.localSubscriptions, 1)
  for (let i = 0; i < 200; i++) await app.rpc.publish('seq', 'n', [i])
  const messages = (await peer.receivedCount(202)).slice(2)
  t.same(messages.map(message => message.params[0]), Array.from({ length: 200 }, (_, i) => i))
  peer.send({ jsonrpc: '2.0', method: 'leave', params: ['seq'], id: 3 })
  t.same((await peer.receivedCount(203))[202], { jsonrpc: '2.0', result: true, id: 3 })
  t.equal(app.rpc.localSubscriptions, 0)
  await app.rpc.publish('seq', 'n', [999])
  peer.send({ jsonrpc: '2.0', method: 'ping', id: 4 })
  t.same((await peer.receivedCount(204))[203], { jsonrpc: '2.0', result: 'pong', id: 4 }, 'nothing published after leaving came first')
})

test('a closed connection is unsubscribed', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()], websocket: true })
  const url = await listenWs(t, app)
  const peer = await openPeer(t, url)
  await joined(peer, 'a', 1)
  await joined(peer, 'b', 2)
  t.equal(app.rpc.localSubscriptions, 2)
  peer.socket.close()
  await peer.closed()
  await waitFor(() => app.rpc.localSubscriptions === 0)
  t.equal(app.rpc.localSubscriptions, 0)
})

test('heartbeat-closed connections free their subscriptions', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()], websocket: { heartbeatMs: 100 } })
  const url = await listenWs(t, app)
  // autoPong off: this peer never answers a ping, as a dead one would not.
  const peer = await openPeer(t, url, { autoPong: false })
  await joined(peer, 'news', 1)
  t.equal(app.rpc.localSubscriptions, 1)
  const { code } = await peer.closed(5000)
  t.equal(code, 1006, 'cut off without a close frame')
  t.equal(app.rpc.localSubscriptions, 0)
  await app.rpc.publish('news', 'after', [])
})

test('a slow reader is closed with 1008 once its unsent messages pass closeBufferedBytes, and its subscriptions are dropped', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()], websocket: { maxBufferedBytes: 16384, closeBufferedBytes: 65536 } })
  const url = await listenWs(t, app)
  const slow = await openPeer(t, url)
  const fast = await openPeer(t, url)
  await joined(slow, 'flood', 1)
  await joined(fast, 'flood', 1)
  slow.socket.pause()
  // The slow peer's TCP buffers fill first; then the server's unsent bytes grow past the bound.
  const big = 'x'.repeat(16 * 1024)
  for (let i = 0; i < 2000 && app.rpc.localSubscriptions > 1; i++) {
    await app.rpc.publish('flood', 'chunk', [i, big])
    if (i % 50 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  t.equal(app.rpc.localSubscriptions, 1, 'only the reading peer is still subscribed')
  slow.socket.resume()
  const { code, reason } = await slow.closed()
  t.equal(code, 1008)
  t.match(reason, /does not read its messages/)
  t.equal(fast.socket.readyState, fast.socket.OPEN, 'the reading peer stays connected')
})

test('a connection may hold websocket.maxSubscriptions topics; the next join is refused with -32005 and a bad topic with -32602', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()], websocket: { maxSubscriptions: 2 } })
  const url = await listenWs(t, app)
  const peer = await openPeer(t, url)
  await joined(peer, 'a', 1)
  await joined(peer, 'b', 2)
  peer.send({ jsonrpc: '2.0', method: 'join', params: ['c'], id: 3 })
  t.same((await peer.receivedCount(3))[2], { jsonrpc: '2.0', error: { code: LIMIT_EXCEEDED, message: 'Limit exceeded', data: { maxSubscriptions: 2 } }, id: 3 })
  peer.send({ jsonrpc: '2.0', method: 'join', params: [''], id: 4 })
  const refused = (await peer.receivedCount(4))[3]
  t.equal(refused.error.code, -32602)
  t.equal(app.rpc.localSubscriptions, 2)
})

test('two instances on two paths do not cross-deliver; the same pubsubPrefix shares topics deliberately', async t => {
  const app = Fastify()
  await app.register(import('@fastify/websocket'))
  await app.register(rpcPlugin, { services: [new TopicService()], path: '/one', websocket: true })
  await app.register(rpcPlugin, { services: [new TopicService()], path: '/two', websocket: true })
  await app.register(rpcPlugin, { services: [new TopicService()], path: '/three', websocket: true, pubsubPrefix: 'fastify-jsonrpc:/one:' })
  const base = (await listenWs(t, app, '')).replace(/\/$/, '')
  const [one, two, three] = await Promise.all([openPeer(t, base + '/one'), openPeer(t, base + '/two'), openPeer(t, base + '/three')])
  for (const peer of [one, two, three]) await joined(peer, 'news', 1)
  await t.rejects(app.rpc.publish('news', 'x'), { code: 'FST_JSONRPC_INVALID_OPTION', message: /3 JSON-RPC endpoints/ })
  await app.rpc.endpoint('/two').publish('news', 'for-two')
  t.same((await two.receivedCount(2))[1], { jsonrpc: '2.0', method: 'for-two' })
  await app.rpc.endpoint('/one').publish('news', 'for-one')
  t.same((await one.receivedCount(2))[1], { jsonrpc: '2.0', method: 'for-one' })
  t.same((await three.receivedCount(2))[1], { jsonrpc: '2.0', method: 'for-one' }, 'shared through the same prefix')
  t.equal(two.received.length, 2, '/two never got /one\'s message')
  t.throws(() => app.rpc.endpoint('/four'), { message: /no endpoint at "\/four"/ })
})

test('publish checks its arguments', async t => {
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()] })
  await app.ready()
  t.teardown(async () => await app.close())
  await t.rejects(app.rpc.publish('', 'm'), TypeError)
  await t.rejects(app.rpc.publish('t', 5 as unknown as string), TypeError)
  await t.rejects(app.rpc.publish('t', 'm', 'text' as never), TypeError)
  await app.rpc.publish('nobody-listens', 'm', [1])
})

async function waitFor (condition: () => boolean, withinMs = 5000): Promise<void> {
  const until = Date.now() + withinMs
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
