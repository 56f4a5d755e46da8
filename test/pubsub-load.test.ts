import { Redis } from 'ioredis'
import { test } from 'tap'
import { WebSocket } from 'ws'
import { startRedis, skipWithoutRedis } from './helpers/redis-server'
import { startNode } from './helpers/redis-node'

const SUBSCRIBERS = 1000
const NOTIFICATIONS = 100

test(`load: ${SUBSCRIBERS} subscribers across 2 server processes each receive all ${NOTIFICATIONS} notifications, in order, none lost`, { skip: skipWithoutRedis, timeout: 240_000 }, async t => {
  const redis = await startRedis(t)
  const nodes = await Promise.all([startNode(t, { REDIS_URL: redis.url }), startNode(t, { REDIS_URL: redis.url })])
  const received: number[][] = []
  const sockets: WebSocket[] = []
  t.teardown(() => { for (const socket of sockets) socket.terminate() })
  // Joined in waves of 100 so that the test does not open 1000 connections in one burst.
  for (let wave = 0; wave < SUBSCRIBERS / 100; wave++) {
    await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const index = wave * 100 + i
      const socket = new WebSocket(`ws://127.0.0.1:${nodes[index % 2].port}/rpc`)
      sockets.push(socket)
      const seqs: number[] = []
      received[index] = seqs
      await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
      await new Promise<void>(resolve => {
        socket.on('message', data => {
          const message = JSON.parse(data.toString())
          if (message.id === 'join') resolve()
          else if (message.method === 'n') seqs.push(message.params[0])
        })
        socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'join', params: ['load'], id: 'join' }))
      })
    }))
  }
  const probe = new Redis(redis.url)
  t.teardown(() => probe.disconnect())
  const [, subscribed] = await probe.pubsub('NUMSUB', 'fastify-jsonrpc:/rpc:load') as [string, number]
  t.equal(Number(subscribed), 2, 'each process subscribed the channel once for all its connections')

  for (let seq = 0; seq < NOTIFICATIONS; seq++) {
    const published = await nodes[seq % 2].publish('load', 'n', [seq])
    if (published.status !== 200) throw new Error(`publish ${seq}: ${JSON.stringify(published.body)}`)
  }
  const deadline = Date.now() + 60_000
  while (received.some(seqs => seqs.length < NOTIFICATIONS) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
  const incomplete = received.filter(seqs => seqs.length !== NOTIFICATIONS).length
  t.equal(incomplete, 0, `every subscriber got ${NOTIFICATIONS} notifications (${incomplete} did not)`)
  const expected = Array.from({ length: NOTIFICATIONS }, (_, i) => i)
  t.equal(received.filter(seqs => seqs.join() !== expected.join()).length, 0, 'each in publishing order')
})
