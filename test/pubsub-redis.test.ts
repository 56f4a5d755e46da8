import { Redis } from 'ioredis'
import { test } from 'tap'
import { startRedis, skipWithoutRedis } from './helpers/redis-server'
import { startNode } from './helpers/redis-node'
import { openPeer, type Peer } from './helpers/websocket-peer'

const CHANNEL = (topic: string): string => `fastify-jsonrpc:/rpc:${topic}`

async function join (peer: Peer, topic: string): Promise<void> {
  const before = peer.received.length
  peer.send({ jsonrpc: '2.0', method: 'join', params: [topic], id: `join-${topic}` })
  const answer = (await peer.receivedCount(before + 1))[before]
  if (answer.result !== true) throw new Error(`join answered ${JSON.stringify(answer)}`)
}

/** Waits until `count` processes have subscribed the channel in Redis: a publish before that would (at most once) reach nobody. */
async function subscribedBy (url: string, channel: string, count: number): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true })
  await redis.connect()
  try {
    const until = Date.now() + 20_000
    for (;;) {
      const [, subscribers] = await redis.pubsub('NUMSUB', channel) as [string, number]
      if (Number(subscribers) >= count) return
      if (Date.now() > until) throw new Error(`${channel}: ${subscribers} of ${count} subscribers`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  } finally {
    redis.disconnect()
  }
}

test('topics through Redis: what one process publishes reaches WebSocket clients of another; an outage rejects publishes and delivery resumes', { skip: skipWithoutRedis, timeout: 180_000 }, async t => {
  const redis = await startRedis(t)
  const [a, b] = await Promise.all([startNode(t, { REDIS_URL: redis.url }), startNode(t, { REDIS_URL: redis.url })])
  const onA = await openPeer(t, `ws://127.0.0.1:${a.port}/rpc`)
  const onB = await openPeer(t, `ws://127.0.0.1:${b.port}/rpc`)
  await join(onA, 'news')
  await join(onB, 'news')
  await subscribedBy(redis.url, CHANNEL('news'), 2)

  t.same(await b.publish('news', 'headline', [1]), { status: 200, body: { ok: true } })
  t.same((await onA.receivedCount(2))[1], { jsonrpc: '2.0', method: 'headline', params: [1] }, 'A\'s client got what B published')
  t.same((await onB.receivedCount(2))[1], { jsonrpc: '2.0', method: 'headline', params: [1] }, 'and B\'s own client too')

  await redis.kill()
  const refused = await b.publish('news', 'headline', [2])
  t.equal(refused.status, 503, 'publish rejects while Redis is down')
  t.equal(refused.body.code, 'FST_JSONRPC_PUBLISH_FAILED')
  t.match(refused.body.message, /could not publish to "fastify-jsonrpc:\/rpc:news": Redis is unreachable/)
  // The processes are up and serving during the outage.
  onA.send({ jsonrpc: '2.0', method: 'ping', id: 'during' })
  t.same((await onA.receivedCount(3))[2], { jsonrpc: '2.0', result: 'pong', id: 'during' })

  await redis.restart()
  // Both subscribers reconnect with backoff and resubscribe; publishes succeed once B's command connection is back.
  await subscribedBy(redis.url, CHANNEL('news'), 2)
  const until = Date.now() + 20_000
  while ((await b.publish('news', 'headline', [3])).status !== 200) {
    if (Date.now() > until) throw new Error('publishing did not resume within 20 s')
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.same((await onA.receivedCount(4))[3], { jsonrpc: '2.0', method: 'headline', params: [3] }, 'delivery resumed after Redis returned')
  t.equal(a.child.exitCode, null, 'A did not crash')
  t.equal(b.child.exitCode, null, 'B did not crash')
  t.notOk(onA.received.some(message => message.params?.[0] === 2), 'the refused publish was never delivered')
})

test('a rate limit of N calls shared by two processes refuses call N+1 whichever gets it; fail open by default while Redis is down, then limits resume', { skip: skipWithoutRedis, timeout: 180_000 }, async t => {
  const redis = await startRedis(t)
  const env = { REDIS_URL: redis.url, LIMIT_POINTS: '5' }
  const [a, b] = await Promise.all([startNode(t, env), startNode(t, env)])
  const call = (id: number): object => ({ jsonrpc: '2.0', method: 'limited', id })
  for (const [index, node] of [a, b, a, b, a].entries()) {
    const answer = await node.post(call(index))
    t.same([answer.status, answer.body.result], [200, 'ok'], `call ${index + 1} of 5 admitted`)
  }
  const refused = await b.post(call(6))
  t.equal(refused.status, 429)
  t.equal(refused.body.error.code, -32005)
  t.equal(refused.body.error.message, 'Limit exceeded')
  t.ok(refused.body.error.data.retryAfterMs > 0 && refused.body.error.data.retryAfterMs <= 60_000)
  t.equal(refused.headers.get('retry-after'), String(Math.ceil(refused.body.error.data.retryAfterMs / 1000)))
  t.equal((await a.post(call(7))).status, 429, 'the other process refuses too')

  await redis.kill()
  const during = await a.post(call(8))
  t.same([during.status, during.body.result], [200, 'ok'], 'onStoreError "allow" (the default): let through while the store is down')
  t.ok(await outputMatches(a, /the rate limit store is unreachable; calls are let through unlimited/), 'the outage was logged')

  await redis.restart()
  // Calls are let through uncounted until the command connection is back; then a fresh Redis (persistence off) counts 5 and refuses.
  const until = Date.now() + 20_000
  let status = 200
  let calls = 0
  while (status === 200) {
    if (Date.now() > until || calls > 2000) throw new Error('limits did not resume within 20 s')
    status = (await a.post(call(100 + calls++))).status
  }
  t.equal(status, 429, 'limits resume after Redis returned')
  t.ok(await outputMatches(a, /the rate limit store answers again/), 'the recovery was logged')
  // The other process reconnects on its own backoff: until then it fails open too, then it sees the shared count.
  let other = 200
  const otherUntil = Date.now() + 20_000
  while (other === 200 && Date.now() < otherUntil) {
    other = (await b.post(call(200))).status
    if (other === 200) await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.equal(other, 429, 'limits resume, shared again, in the other process too')
})

test('onStoreError "refuse": calls are refused with -32005 while Redis is down, never hang', { skip: skipWithoutRedis, timeout: 120_000 }, async t => {
  const redis = await startRedis(t)
  const node = await startNode(t, { REDIS_URL: redis.url, ON_STORE_ERROR: 'refuse' })
  t.equal((await node.post({ jsonrpc: '2.0', method: 'limited', id: 1 })).status, 200)
  await redis.kill()
  const started = Date.now()
  const refused = await node.post({ jsonrpc: '2.0', method: 'limited', id: 2 })
  t.equal(refused.status, 429)
  t.same(refused.body.error, { code: -32005, message: 'Limit exceeded', data: { retryAfterMs: 1000 } })
  t.ok(Date.now() - started < 30_000, 'answered at all within a generous bound')
  t.same((await node.post({ jsonrpc: '2.0', method: 'ping', id: 3 })).body.result, 'pong', 'unlimited methods are not affected')
})

/** Log lines cross a pipe: they may arrive a moment after the answer. */
async function outputMatches (node: { output: () => string }, pattern: RegExp): Promise<boolean> {
  const until = Date.now() + 5000
  while (!pattern.test(node.output())) {
    if (Date.now() > until) return false
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return true
}

test('redis: an ioredis client of the app is used, and left open when the app closes (only the plugin\'s duplicate is closed)', { skip: skipWithoutRedis, timeout: 60_000 }, async t => {
  const redis = await startRedis(t)
  const client = new Redis(redis.url, { enableOfflineQueue: false, lazyConnect: true })
  await client.connect()
  t.teardown(() => client.disconnect())
  const { default: Fastify } = await import('fastify')
  const { rpcPlugin } = await import('../index')
  const { TopicService } = await import('./fixtures/topic-service')
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new TopicService()], websocket: true, redis: client, rateLimit: { points: 1, duration: 60, key: () => 'k' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const peer = await openPeer(t, `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/rpc`)
  await join(peer, 'news')
  await subscribedBy(redis.url, CHANNEL('news'), 1)
  await app.rpc.publish('news', 'headline', ['through the app client'])
  t.same((await peer.receivedCount(2))[1], { jsonrpc: '2.0', method: 'headline', params: ['through the app client'] })
  peer.send({ jsonrpc: '2.0', method: 'ping', id: 'over' })
  t.equal((await peer.receivedCount(3))[2].error.code, -32005, 'the limit counted in Redis through the app client (the join used the only point)')
  await app.close()
  t.equal(client.status, 'ready', 'the app\'s client is still open')
  t.equal(await client.ping(), 'PONG')
})
