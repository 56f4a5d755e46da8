import 'reflect-metadata'
import type { FastifyInstance } from 'fastify'
import { test } from 'tap'
import { buildHostileApp } from './fixtures/hostile-app'

/** The configurable limits: batch size, batch concurrency, call timeouts, body size. */

async function post (app: FastifyInstance, payload: string): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> {
  return await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload })
}

function batchOf (count: number, method: string, params = '[]'): string {
  return '[' + Array.from({ length: count }, (_, i) => `{"jsonrpc":"2.0","method":"${method}","params":${params},"id":${i}}`).join(',') + ']'
}

test('a batch of 1000 slow calls never runs more than batchConcurrency (default 32) at once', async t => {
  const { app, hostile } = await buildHostileApp()
  t.teardown(() => app.close())
  const reply = await post(app, batchOf(1000, 'slow', '[5]'))
  t.equal(reply.statusCode, 200)
  const answers = reply.json() as Array<{ result: string, id: number }>
  t.equal(answers.length, 1000, 'every call answered')
  t.ok(answers.every((answer, i) => answer.result === 'slept' && answer.id === i), 'in request order')
  t.equal(hostile.maxRunning, 32, 'the pool filled up to, and never past, 32')
  t.equal(hostile.running, 0, 'nothing left running')
})

test('batchConcurrency bounds a batch at the configured number', async t => {
  const { app, hostile } = await buildHostileApp({}, { batchConcurrency: 4 })
  t.teardown(() => app.close())
  const reply = await post(app, batchOf(40, 'slow', '[5]'))
  t.equal((reply.json() as unknown[]).length, 40)
  t.equal(hostile.maxRunning, 4)
})

test('a batch over maxBatchSize (default 1000) is refused as a whole with the limit in the message', async t => {
  const { app, hostile } = await buildHostileApp()
  t.teardown(() => app.close())
  const reply = await post(app, batchOf(1001, 'slow', '[1]'))
  t.equal(reply.statusCode, 400)
  t.same(reply.json(), {
    jsonrpc: '2.0',
    error: { code: -32600, message: 'Invalid Request: a batch may hold at most 1000 calls, this one has 1001', data: { maxBatchSize: 1000, received: 1001 } },
    id: null
  })
  t.equal(hostile.maxRunning, 0, 'no call of the refused batch ran')
})

test('maxBatchSize is configurable', async t => {
  const { app } = await buildHostileApp({}, { maxBatchSize: 10 })
  t.teardown(() => app.close())
  t.equal((await post(app, batchOf(10, 'ping'))).statusCode, 200)
  t.equal((await post(app, batchOf(11, 'ping'))).json().error.data.maxBatchSize, 10)
})

test('a per-method timeout answers -32000 "Call timed out" and the server keeps serving', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const reply = await post(app, '{"jsonrpc":"2.0","method":"hangs","id":1}')
  t.equal(reply.statusCode, 500)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32000, message: 'Call timed out', data: { timeoutMs: 30 } }, id: 1 })
  const ping = await post(app, '{"jsonrpc":"2.0","method":"ping","id":2}')
  t.same(ping.json(), { jsonrpc: '2.0', result: 'ping', id: 2 })
})

test('the plugin-wide timeout applies to methods without their own', async t => {
  const { app } = await buildHostileApp({}, { timeout: 50 })
  t.teardown(() => app.close())
  const reply = await post(app, '{"jsonrpc":"2.0","method":"hangsWithDefault","id":1}')
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32000, message: 'Call timed out', data: { timeoutMs: 50 } }, id: 1 })
  const perMethod = await post(app, '{"jsonrpc":"2.0","method":"hangs","id":2}')
  t.same(perMethod.json().error.data, { timeoutMs: 30 }, 'the decorator\'s timeout wins over the default')
})

test('timed-out calls in a batch do not hold back the others', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const reply = await post(app, '[{"jsonrpc":"2.0","method":"hangs","id":1},{"jsonrpc":"2.0","method":"ping","id":2},{"jsonrpc":"2.0","method":"hangsWithDefault","id":3}]')
  t.equal(reply.statusCode, 200)
  t.same(reply.json(), [
    { jsonrpc: '2.0', error: { code: -32000, message: 'Call timed out', data: { timeoutMs: 30 } }, id: 1 },
    { jsonrpc: '2.0', result: 'ping', id: 2 },
    { jsonrpc: '2.0', error: { code: -32000, message: 'Call timed out', data: { timeoutMs: 100 } }, id: 3 }
  ])
})

test('the plugin bodyLimit option answers a JSON 413 above it', async t => {
  const { app } = await buildHostileApp({}, { bodyLimit: 256 })
  t.teardown(() => app.close())
  const reply = await post(app, batchOf(10, 'ping'))
  t.equal(reply.statusCode, 413)
  t.equal(reply.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(reply.json().error.code, -32600)
})
