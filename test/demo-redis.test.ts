import { test } from 'tap'
import { startDemo } from './fixtures/demo-process'
import { startRedis, skipWithoutRedis } from './helpers/redis-server'
import { openPeer, type Peer } from './helpers/websocket-peer'

function workerListening (line: Record<string, unknown>): boolean {
  return line.role === 'primary' && line.msg === 'worker listening'
}

async function ask (peer: Peer, method: string, id: string): Promise<any> {
  const before = peer.received.length
  peer.send({ jsonrpc: '2.0', method, id })
  for (;;) {
    await peer.receivedCount(peer.received.length + 1)
    const answer = peer.received.slice(before).find(message => message.id === id)
    if (answer !== undefined) return answer.result
  }
}

test('REDIS_URL with WORKERS=2: every subscriber gets every tick, whichever worker it is connected to', { skip: skipWithoutRedis, timeout: 120_000 }, async t => {
  const redis = await startRedis(t)
  const demo = startDemo(t, { WORKERS: '2', REDIS_URL: redis.url, TICK_MS: '100' })
  await demo.waitForLine(line => workerListening(line) && demo.lines.filter(workerListening).length >= 2, 60_000)
  const address = demo.lines.find(workerListening)?.address as string
  const peers: Peer[] = []
  const workers = new Set<number>()
  // The primary hands connections to the workers round-robin: a few are enough to reach both.
  for (let i = 0; i < 20 && (peers.length < 6 || workers.size < 2); i++) {
    const peer = await openPeer(t, `ws://${address}/rpc`)
    workers.add(await ask(peer, 'processId', 'pid'))
    peers.push(peer)
  }
  t.equal(workers.size, 2, 'subscribers on both workers')
  for (const peer of peers) t.equal(await ask(peer, 'watch_ticks', 'watch'), true)
  const ticksOf = (peer: Peer): any[] => peer.received.filter(message => message.method === 'tick').map(message => message.params)
  const until = Date.now() + 30_000
  while (peers.some(peer => ticksOf(peer).length < 15)) {
    if (Date.now() > until) throw new Error(`ticks so far: ${peers.map(peer => ticksOf(peer).length).join(', ')}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const all = peers.map(ticksOf)
  const publishers = new Set(all.flat().map(tick => tick.publisher))
  t.equal(publishers.size, 1, 'one process publishes (the lease holder)')
  const from = Math.max(...all.map(ticks => ticks[0].seq))
  const to = Math.min(...all.map(ticks => ticks[ticks.length - 1].seq))
  t.ok(to - from >= 10, `a common window of ${to - from + 1} ticks`)
  for (const ticks of all) {
    const seqs = ticks.map(tick => tick.seq)
    t.same(seqs.filter(seq => seq >= from && seq <= to), Array.from({ length: to - from + 1 }, (_, i) => from + i), 'every tick of the window, in order, none twice')
  }
})
