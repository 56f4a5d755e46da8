import net from 'node:net'
import { test } from 'tap'
import { isAlive, rpc, startDemo, type DemoProcess } from './fixtures/demo-process'

/** WORKERS=N: the built demo server as a cluster primary with N workers sharing one port on 127.0.0.1. */

const processIdCall = { jsonrpc: '2.0', method: 'processId', id: 1 }

function workerListening (line: Record<string, unknown>): boolean {
  return line.role === 'primary' && line.msg === 'worker listening'
}

/** Asks over fresh connections until `count` different workers have answered (or too many tries). */
async function answeringPids (url: string, count: number): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let attempt = 0; attempt < 40 && pids.size < count; attempt++) {
    // Each call opens a new connection; the primary hands connections to workers round-robin.
    pids.add(((await rpc(url, processIdCall)).body as { result: number }).result)
  }
  return pids
}

async function listeningWorkers (demo: DemoProcess, count: number): Promise<string> {
  for (let seen = 1; seen <= count; seen++) {
    await demo.waitForLine(line => workerListening(line) && demo.lines.filter(workerListening).length >= seen)
  }
  const addresses = new Set(demo.lines.filter(workerListening).map(line => line.address as string))
  if (addresses.size !== 1) throw new Error(`workers listen on different addresses: ${[...addresses].join(', ')}`)
  return `http://${[...addresses][0]}`
}

test('WORKERS=2: both workers answer on one port, a killed worker is replaced, SIGTERM drains them all', async t => {
  const demo = startDemo(t, { WORKERS: '2', SHUTDOWN_GRACE_MS: '5000' })
  const url = await listeningWorkers(demo, 2)

  const first = await answeringPids(url, 2)
  t.equal(first.size, 2, 'two different worker processes answer')
  t.notOk(first.has(demo.child.pid as number), 'the primary serves nothing itself')

  const [victim, survivor] = [...first]
  process.kill(victim, 'SIGKILL')
  await demo.waitForLine(line => line.msg === 'worker died' && line.workerPid === victim)
  await listeningWorkers(demo, 3)
  const second = await answeringPids(url, 2)
  t.equal(second.size, 2, 'two workers answer again')
  t.notOk(second.has(victim), 'the killed worker is gone')
  t.ok(second.has(survivor), 'the other worker kept serving')
  const workerPids = [...second]

  const slow = rpc(url, { jsonrpc: '2.0', method: 'sleep', params: [1000], id: 'slow' })
  await new Promise(resolve => setTimeout(resolve, 200))
  demo.child.kill('SIGTERM')
  t.same((await slow).body, { jsonrpc: '2.0', result: 1000, id: 'slow' }, 'the in-flight call finished')
  t.same(await demo.exited, { code: 0, signal: null }, 'the primary exited 0')
  t.ok(demo.lines.some(line => line.msg === 'all workers exited' && line.clean === true), 'after every worker exited cleanly')
  t.same(workerPids.filter(isAlive), [], 'no worker is left running')
})

test('workers that die as fast as they start are replaced a bounded number of times, then the primary exits 1', async t => {
  // Hold a port on 127.0.0.1 so every worker fails to listen.
  const blocker = net.createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as net.AddressInfo).port

  const demo = startDemo(t, { WORKERS: '1', PORT: String(port), WORKER_RESTART_LIMIT: '2' })
  t.same(await demo.exited, { code: 1, signal: null }, 'the primary gives up with exit 1')
  const deaths = demo.lines.filter(line => line.msg === 'worker died').length
  t.equal(deaths, 1 + 2, 'the first worker and WORKER_RESTART_LIMIT replacements')
  t.ok(demo.lines.some(line => line.msg === 'workers are dying too fast: not replacing this one'), 'and says why')
})
