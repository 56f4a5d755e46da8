import 'reflect-metadata'
import { test } from 'tap'
import { rpcMethod, LIMIT_EXCEEDED } from '../index'
import { appWith, post } from './fixtures/app'

class Counted {
  calls = 0

  @rpcMethod()
  free (): string {
    this.calls++
    return 'free'
  }

  @rpcMethod({ rateLimit: { points: 2, duration: 60 } })
  scarce (): string {
    this.calls++
    return 'scarce'
  }

  @rpcMethod({ rateLimit: { points: 1, duration: 60, key: context => String((context.request.headers as Record<string, unknown>)['x-user']) } })
  perUser (): string {
    return 'mine'
  }
}

test('a single refused HTTP call gets 429, Retry-After and -32005 with data.retryAfterMs; the method did not run', async t => {
  const service = new Counted()
  const app = await appWith(t, { services: [service] })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'scarce', id: 1 })).statusCode, 200)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'scarce', id: 2 })).statusCode, 200)
  const refused = await post(app, { jsonrpc: '2.0', method: 'scarce', id: 3 })
  t.equal(refused.statusCode, 429)
  const body = refused.json()
  t.equal(body.error.code, LIMIT_EXCEEDED)
  t.equal(body.error.message, 'Limit exceeded')
  t.ok(body.error.data.retryAfterMs > 59_000 && body.error.data.retryAfterMs <= 60_000, `retryAfterMs ${body.error.data.retryAfterMs}`)
  t.equal(refused.headers['retry-after'], '60')
  t.equal(body.id, 3)
  t.equal(service.calls, 2)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'free', id: 4 })).statusCode, 200, 'a method without a limit is not affected')
})

test('a batch cannot walk past a limit: every call and notification costs a point, only the refused calls fail', async t => {
  const service = new Counted()
  const app = await appWith(t, { services: [service], rateLimit: { points: 3, duration: 60 } })
  const response = await post(app, [
    { jsonrpc: '2.0', method: 'free', id: 1 },
    { jsonrpc: '2.0', method: 'free' },
    { jsonrpc: '2.0', method: 'free', id: 3 },
    { jsonrpc: '2.0', method: 'free', id: 4 },
    { jsonrpc: '2.0', method: 'free', id: 5 }
  ])
  t.equal(response.statusCode, 200)
  const answers = response.json()
  t.same(answers.map((answer: any) => answer.id), [1, 3, 4, 5])
  t.same(answers.slice(0, 2).map((answer: any) => answer.result), ['free', 'free'])
  for (const answer of answers.slice(2)) {
    t.equal(answer.error.code, LIMIT_EXCEEDED)
    t.ok(answer.error.data.retryAfterMs > 0)
  }
  t.equal(service.calls, 3, 'the notification counted and ran; calls 4 and 5 did not run')
})

test('the plugin-wide limit and a method\'s own both apply; always-200 keeps 200 with Retry-After', async t => {
  const app = await appWith(t, { services: [new Counted()], httpStatus: 'always-200', rateLimit: { points: 10, duration: 60 } })
  await post(app, { jsonrpc: '2.0', method: 'scarce', id: 1 })
  await post(app, { jsonrpc: '2.0', method: 'scarce', id: 2 })
  const refused = await post(app, { jsonrpc: '2.0', method: 'scarce', id: 3 })
  t.equal(refused.statusCode, 200)
  t.equal(refused.json().error.code, LIMIT_EXCEEDED)
  t.equal(refused.headers['retry-after'], '60')
})

test('key(ctx) picks the caller: each user has their own budget', async t => {
  const app = await appWith(t, { services: [new Counted()] })
  const as = async (user: string): Promise<number> => (await post(app, { jsonrpc: '2.0', method: 'perUser', id: 1 }, { 'x-user': user })).statusCode
  t.equal(await as('ann'), 200)
  t.equal(await as('bob'), 200)
  t.equal(await as('ann'), 429)
  t.equal(await as('bob'), 429)
})

test('a key function that throws answers -32603 and is logged, without a crash', async t => {
  class Broken {
    @rpcMethod({ rateLimit: { points: 1, duration: 1, key: () => { throw new Error('no user') } } })
    m (): number { return 1 }
  }
  const app = await appWith(t, { services: [new Broken()] })
  const response = await post(app, { jsonrpc: '2.0', method: 'm', id: 1 })
  t.equal(response.statusCode, 500)
  t.equal(response.json().error.code, -32603)
})

test('the default key is the client IP', async t => {
  const app = await appWith(t, { services: [new Counted()], rateLimit: { points: 1, duration: 60 } })
  const from = async (remoteAddress: string): Promise<number> => (await app.inject({ method: 'POST', url: '/rpc', remoteAddress, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ jsonrpc: '2.0', method: 'free', id: 1 }) })).statusCode
  t.equal(await from('10.0.0.1'), 200)
  t.equal(await from('10.0.0.2'), 200)
  t.equal(await from('10.0.0.1'), 429)
})

test('rate limit options are checked at registration', async t => {
  const bad: Array<[unknown, RegExp]> = [
    [{ points: 0, duration: 1 }, /rateLimit.points/],
    [{ points: 1, duration: 0.5 }, /rateLimit.duration/],
    [{ points: 1 }, /rateLimit.duration/],
    [{ points: 1, duration: 1, key: 'ip' }, /rateLimit.key/],
    [{ onStoreError: 'maybe' }, /onStoreError/],
    [{ storeTimeoutMs: 0 }, /storeTimeoutMs/],
    [{ burst: 1 }, /unknown option `rateLimit.burst`/],
    ['fast', /must be an object/]
  ]
  for (const [rateLimit, message] of bad) {
    await t.rejects(appWith(t, { services: [new Counted()], rateLimit: rateLimit as never }), { code: 'FST_JSONRPC_INVALID_OPTION', message }, JSON.stringify(rateLimit))
  }
  class BadMethod {
    @rpcMethod({ rateLimit: { points: -1, duration: 1 } })
    m (): number { return 1 }
  }
  await t.rejects(appWith(t, { services: [new BadMethod()] }), { message: /@rpcMethod\(\{ rateLimit \}\) of BadMethod.m.*points/ })
  await t.rejects(appWith(t, { services: [new Counted()], redis: 'http://localhost' as never }), { message: /redis:\/\/ or rediss:\/\/ URL/ })
  await t.rejects(appWith(t, { services: [new Counted()], redis: 42 as never }), { message: /ioredis client/ })
  await t.rejects(appWith(t, { services: [new Counted()], pubsubPrefix: '' }), { message: /pubsubPrefix/ })
})
