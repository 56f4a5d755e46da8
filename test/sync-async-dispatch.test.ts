import 'reflect-metadata'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { RpcError, rpcMethod, rpcPlugin } from '../index'

/** Each behaviour twice: answered synchronously and through a promise. */
class Mixed {
  @rpcMethod()
  double (n: number): number {
    return n * 2
  }

  @rpcMethod()
  async doubleLater (n: number): Promise<number> {
    await new Promise(resolve => setTimeout(resolve, 5 - n))
    return n * 2
  }

  @rpcMethod()
  refuse (): never {
    throw new RpcError(-32010, 'Refused', { why: 'sync' })
  }

  @rpcMethod()
  async refuseLater (): Promise<never> {
    throw new RpcError(-32010, 'Refused', { why: 'async' })
  }

  @rpcMethod()
  crash (): never {
    throw new Error('sync bug')
  }

  @rpcMethod()
  async crashLater (): Promise<never> {
    throw new Error('async bug')
  }
}

async function mixedApp (t: Test, level = 'error'): Promise<{ app: FastifyInstance, logs: Array<Record<string, any>> }> {
  const logs: Array<Record<string, any>> = []
  const stream = new Writable({ write (chunk, _encoding, done) { logs.push(JSON.parse(String(chunk))); done() } })
  const app = Fastify({ logger: { level, stream } })
  t.teardown(() => app.close())
  await app.register(rpcPlugin, { services: [new Mixed()] })
  return { app, logs }
}

async function post (app: FastifyInstance, payload: unknown): Promise<{ status: number, body: any }> {
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
  return { status: reply.statusCode, body: reply.payload === '' ? undefined : reply.json() }
}

const call = (method: string, id: number, params?: unknown[]): object => ({ jsonrpc: '2.0', method, id, ...(params === undefined ? {} : { params }) })

test('synchronous and asynchronous methods give the same answers', async t => {
  const { app, logs } = await mixedApp(t)
  t.same((await post(app, call('double', 1, [4]))).body, { jsonrpc: '2.0', result: 8, id: 1 })
  t.same((await post(app, call('doubleLater', 1, [4]))).body, { jsonrpc: '2.0', result: 8, id: 1 })
  for (const [method, why] of [['refuse', 'sync'], ['refuseLater', 'async']]) {
    const { status, body } = await post(app, call(method, 2))
    t.equal(status, 500, method)
    t.same(body, { jsonrpc: '2.0', error: { code: -32010, message: 'Refused', data: { why } }, id: 2 }, method)
  }
  for (const method of ['crash', 'crashLater']) {
    const { status, body } = await post(app, call(method, 3))
    t.equal(status, 500, method)
    t.same(body, { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 3 }, method)
  }
  t.same(logs.map(entry => [entry.rpcMethod, entry.err?.message]), [['crash', 'sync bug'], ['crashLater', 'async bug']])
})

test('a batch mixing synchronous and slower asynchronous calls keeps request order', async t => {
  const { app } = await mixedApp(t)
  const batch = [
    call('doubleLater', 1, [1]),
    call('double', 2, [2]),
    { jsonrpc: '2.0', method: 'double', params: [9] },
    call('crashLater', 3),
    call('doubleLater', 4, [4]),
    call('refuse', 5),
    call('double', 6, ['x'])
  ]
  const { status, body } = await post(app, batch)
  t.equal(status, 200)
  t.same(body.map((answer: { id: number }) => answer.id), [1, 2, 3, 4, 5, 6])
  t.same(body[0].result, 2)
  t.same(body[1].result, 4)
  t.equal(body[2].error.code, -32603)
  t.same(body[3].result, 8)
  t.equal(body[4].error.code, -32010)
  t.equal(body[5].error.code, -32602)
})

test('with debug logging, every call is logged once, synchronous or not', async t => {
  const { app, logs } = await mixedApp(t, 'debug')
  await post(app, [call('double', 1, [1]), call('doubleLater', 2, [1]), { jsonrpc: '2.0', method: 'double', params: [1] }, call('refuse', 3)])
  const calls = logs.filter(entry => entry.rpcMethod !== undefined && entry.level === 20)
  // Completion order is not part of the contract; what is logged is.
  const seen = calls.map(entry => [entry.rpcMethod, entry.notification, entry.errorCode, entry.msg])
  seen.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  t.same(seen, [
    ['double', false, undefined, 'rpc call succeeded'],
    ['double', true, undefined, 'rpc call succeeded'],
    ['doubleLater', false, undefined, 'rpc call succeeded'],
    ['refuse', false, -32010, 'rpc call failed']
  ])
  t.ok(calls.every(entry => typeof entry.durationMs === 'number'))
})
