import http from 'node:http'
import { test } from 'tap'
import { listeningUrl, rpc, startDemo } from './fixtures/demo-process'

/** The demo server's graceful shutdown, tested on the built server in a child process on 127.0.0.1. */

const sleepCall = (ms: number, id: number): unknown => ({ jsonrpc: '2.0', method: 'sleep', params: [ms], id })
const ping = { jsonrpc: '2.0', method: 'ping', id: 'p' }

async function refused (url: string): Promise<string> {
  try {
    return `answered ${(await rpc(url, ping, false, 3_000)).status}`
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error)
  }
}

/**
 * Fastify closes the listener a moment after the shutdown starts; a connection
 * that slips in meanwhile is answered 503, or reset if it was still waiting to
 * be accepted or had sent nothing yet when idle sockets were dropped. Polls until connections are refused
 * and returns every outcome seen on the way.
 */
async function untilRefused (url: string): Promise<string[]> {
  const outcomes: string[] = []
  for (let attempt = 0; attempt < 40; attempt++) {
    const outcome = await refused(url)
    outcomes.push(outcome)
    if (outcome === 'ECONNREFUSED') break
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  return outcomes
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} lets an in-flight call finish, refuses new connections, and exits 0`, async t => {
    // A grace period well under Fastify's 72 s keepAliveTimeout: an idle keep-alive socket holding up close would fail the test.
    const demo = startDemo(t, { SHUTDOWN_GRACE_MS: '5000' })
    const url = await listeningUrl(demo)
    const keepAlive = new http.Agent({ keepAlive: true })
    t.teardown(() => keepAlive.destroy())
    t.same((await rpc(url, ping, keepAlive)).body, { jsonrpc: '2.0', result: 'ping', id: 'p' }, 'serving, over a keep-alive connection')

    const slow = rpc(url, sleepCall(1500, 1), keepAlive)
    await demo.waitForLine(line => line.msg === 'incoming request' && (line.reqId as string) === 'req-2')
    demo.child.kill(signal)
    await demo.waitForLine(line => line.msg === 'shutting down: no new connections, draining in-flight requests')
    let slowSettled = false
    void slow.finally(() => { slowSettled = true })
    const outcomes = await untilRefused(url)
    t.equal(outcomes.at(-1), 'ECONNREFUSED', 'new connections are refused during the drain')
    t.ok(outcomes.slice(0, -1).every(outcome => outcome === 'answered 503' || outcome === 'ECONNRESET'),
      `a connection caught while the listener closes gets 503 or a reset, never a hang (${outcomes.join(', ')})`)
    t.notOk(slowSettled, 'while the slow call was still in flight')

    t.same(await slow, { status: 200, body: { jsonrpc: '2.0', result: 1500, id: 1 }, connection: 'close' }, 'the in-flight call got its result, with Connection: close')
    t.same(await demo.exited, { code: 0, signal: null }, 'the process exited 0')
    t.equal(await refused(url), 'ECONNREFUSED', 'nothing listens afterwards')
  })
}

test('when the grace period expires with a call still in flight, the process exits 1', async t => {
  const demo = startDemo(t, { SHUTDOWN_GRACE_MS: '300' })
  const url = await listeningUrl(demo)
  const slow = rpc(url, sleepCall(5000, 1)).then(() => 'answered', (error: NodeJS.ErrnoException) => error.code ?? error.message)
  await demo.waitForLine(line => line.msg === 'incoming request')
  const signalled = Date.now()
  demo.child.kill('SIGTERM')
  t.same(await demo.exited, { code: 1, signal: null }, 'exit 1')
  t.ok(Date.now() - signalled < 4000, 'without waiting for the 5 s call')
  t.ok(demo.lines.some(line => line.msg === 'shutdown grace period expired with requests still in flight'), 'says why')
  t.equal(await slow, 'ECONNRESET', 'the unfinished call sees its connection reset')
})

test('an idle server exits 0 at once on SIGTERM', async t => {
  const demo = startDemo(t, {})
  await listeningUrl(demo)
  demo.child.kill('SIGTERM')
  t.same(await demo.exited, { code: 0, signal: null })
  t.ok(demo.lines.some(line => line.msg === 'server closed'))
})
