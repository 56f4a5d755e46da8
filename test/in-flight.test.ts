import 'reflect-metadata'
import Fastify from 'fastify'
import { test } from 'tap'
import { rpcMethod, rpcPlugin, RpcError, SERVER_BUSY } from '../index'
import { appWith, post } from './fixtures/app'

/**
 * Issue 10, finding 5: a call that timed out freed its batch slot but kept
 * running, so with `timeout: 100` ten connections reached 31,000 calls
 * running at once. `maxInFlight` bounds them across the whole endpoint, and a
 * call's slot is freed only when its promise really settles.
 */

function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

class WorkService {
  running = 0
  maxRunning = 0
  started = 0
  /** Resolves the calls of `held` that are waiting. */
  private readonly waiting: Array<() => void> = []

  /** Outlives its 20 ms timeout: runs until `release()`. */
  @rpcMethod({ timeout: 20 })
  async held (): Promise<string> {
    this.running++
    this.started++
    this.maxRunning = Math.max(this.maxRunning, this.running)
    try {
      await new Promise<void>(resolve => this.waiting.push(resolve))
      return 'done'
    } finally {
      this.running--
    }
  }

  /** Runs 30 ms, past its 10 ms timeout. */
  @rpcMethod({ timeout: 10 })
  async overruns (): Promise<string> {
    this.running++
    this.maxRunning = Math.max(this.maxRunning, this.running)
    try {
      await sleep(30)
      return 'late'
    } finally {
      this.running--
    }
  }

  @rpcMethod()
  ping (): string {
    return 'pong'
  }

  @rpcMethod()
  note (): void {
    this.started++
  }

  @rpcMethod()
  claimsBusy (): never {
    throw new RpcError(-32002, 'Quota exhausted')
  }

  release (): void {
    for (const resolve of this.waiting.splice(0)) resolve()
  }
}

const busyBody = { jsonrpc: '2.0', error: { code: SERVER_BUSY, message: 'Server busy' }, id: 9 }

test('calls that timed out keep their in-flight slot until they really settle', async t => {
  const service = new WorkService()
  const app = await appWith(t, { services: [service], maxInFlight: 3 })
  t.teardown(() => service.release())
  const batch = await post(app, [1, 2, 3].map(id => ({ jsonrpc: '2.0', method: 'held', id })))
  t.same(batch.json().map((answer: { error: { code: number } }) => answer.error.code), [-32000, -32000, -32000], 'all three timed out')
  t.equal(service.running, 3, 'and all three still run')

  const refused = await post(app, { jsonrpc: '2.0', method: 'ping', id: 9 })
  t.equal(refused.statusCode, 503)
  t.equal(refused.headers['retry-after'], '1')
  t.same(refused.json(), busyBody)

  service.release()
  await sleep(5)
  t.equal(service.running, 0)
  t.same((await post(app, { jsonrpc: '2.0', method: 'ping', id: 10 })).json().result, 'pong', 'served again once they settled')
})

test('10 concurrent requests of timing-out calls never run more than maxInFlight at once', async t => {
  const service = new WorkService()
  const app = await appWith(t, { services: [service], maxInFlight: 40 })
  const batch = Array.from({ length: 32 }, (_, id) => ({ jsonrpc: '2.0', method: 'overruns', id }))
  const codes = new Map<number, number>()
  // Bounded: 5 rounds of 10 concurrent batches.
  for (let round = 0; round < 5; round++) {
    const replies = await Promise.all(Array.from({ length: 10 }, async () => await post(app, batch)))
    for (const reply of replies) {
      for (const answer of reply.json() as Array<{ error?: { code: number } }>) {
        const code = answer.error?.code ?? 0
        codes.set(code, (codes.get(code) ?? 0) + 1)
      }
    }
  }
  t.ok(service.maxRunning <= 40, `at most 40 ran at once (saw ${service.maxRunning})`)
  t.ok(service.maxRunning >= 32, 'and the bound was reached')
  t.ok((codes.get(SERVER_BUSY) ?? 0) > 0, 'calls over the bound were refused with -32002')
  t.ok((codes.get(-32000) ?? 0) > 0, 'the others timed out as before')
  await sleep(50)
  t.equal(service.running, 0, 'nothing left running')
})

test('inside a batch each call over the bound gets its own -32002, and the batch is 200', async t => {
  const service = new WorkService()
  const app = await appWith(t, { services: [service], maxInFlight: 1 })
  t.teardown(() => service.release())
  const reply = await post(app, [
    { jsonrpc: '2.0', method: 'held', id: 1 },
    { jsonrpc: '2.0', method: 'ping', id: 2 },
    { jsonrpc: '2.0', method: 'nope', id: 3 }
  ])
  t.equal(reply.statusCode, 200)
  t.equal(reply.headers['retry-after'], undefined)
  t.same(reply.json(), [
    { jsonrpc: '2.0', error: { code: -32000, message: 'Call timed out', data: { timeoutMs: 20 } }, id: 1 },
    { jsonrpc: '2.0', error: { code: SERVER_BUSY, message: 'Server busy' }, id: 2 },
    { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 3 }
  ], 'an unknown method is still -32601: refusing it costs nothing')
})

test('synchronous calls take no slot: a batch of 100 pings with maxInFlight 1', async t => {
  const app = await appWith(t, { services: [new WorkService()], maxInFlight: 1 })
  const reply = await post(app, Array.from({ length: 100 }, (_, id) => ({ jsonrpc: '2.0', method: 'ping', id })))
  t.ok((reply.json() as Array<{ result: string }>).every(answer => answer.result === 'pong'))
})

test('a notification over the bound is dropped without running', async t => {
  const service = new WorkService()
  const app = await appWith(t, { services: [service], maxInFlight: 1 })
  t.teardown(() => service.release())
  await post(app, { jsonrpc: '2.0', method: 'held', id: 1 })
  const reply = await post(app, { jsonrpc: '2.0', method: 'note' })
  t.equal(reply.statusCode, 204)
  t.equal(service.started, 1, 'only the held call started')
})

test('in always-200 mode a refused call is 200, still with Retry-After', async t => {
  const service = new WorkService()
  const app = await appWith(t, { services: [service], maxInFlight: 1, httpStatus: 'always-200' })
  t.teardown(() => service.release())
  await post(app, { jsonrpc: '2.0', method: 'held', id: 1 })
  const refused = await post(app, { jsonrpc: '2.0', method: 'ping', id: 9 })
  t.equal(refused.statusCode, 200)
  t.equal(refused.headers['retry-after'], '1')
  t.same(refused.json(), busyBody)
})

test("an application's own -32002 error is not a 503", async t => {
  const app = await appWith(t, { services: [new WorkService()] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'claimsBusy', id: 1 })
  t.equal(reply.statusCode, 500)
  t.equal(reply.headers['retry-after'], undefined)
  t.same(reply.json().error, { code: -32002, message: 'Quota exhausted' })
})

test('maxInFlight must be a positive integer', async t => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  await t.rejects(async () => { await app.register(rpcPlugin, { services: [new WorkService()], maxInFlight: 0 }) },
    { code: 'FST_JSONRPC_INVALID_OPTION', message: /`maxInFlight` must be a positive integer/ })
})
