import 'reflect-metadata'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { rpcMethod, rpcPlugin } from '../index'

const itemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    price: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
    note: { type: ['string', 'null'] }
  },
  required: ['id', 'name', 'price', 'tags', 'note']
} as const

const itemsSchema = { type: 'array', items: itemSchema } as const

interface Item { id: number, name: string, price: number, tags: string[], note: string | null }

function makeItems (count: number): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    name: `item "${i}" \u00e9\n`,
    price: i * 1.25,
    tags: i % 2 === 0 ? ['even', 'x'] : [],
    note: i % 3 === 0 ? null : 'n/a'
  }))
}

class Catalog {
  /** What the next call returns, so one method can be fed matching and mismatching results. */
  next: unknown = null

  @rpcMethod({ result: itemsSchema })
  items (): unknown {
    return this.next
  }

  @rpcMethod({ result: itemsSchema })
  async itemsLater (): Promise<unknown> {
    return this.next
  }

  @rpcMethod({ result: { type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: false } })
  closed (): unknown {
    return this.next
  }

  @rpcMethod({ result: { type: 'object', properties: { id: { type: 'integer' } } } })
  open (): unknown {
    return this.next
  }

  @rpcMethod({ result: { $ref: 'money#' } })
  price (): unknown {
    return this.next
  }

  @rpcMethod()
  label (): string {
    return this.next as string
  }

  @rpcMethod()
  count (): number {
    return this.next as number
  }

  @rpcMethod()
  async untyped (): Promise<unknown> {
    return this.next
  }
}

interface Harness { app: FastifyInstance, catalog: Catalog, logs: Array<Record<string, any>> }

async function harness (t: Test): Promise<Harness> {
  const logs: Array<Record<string, any>> = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)))
      done()
    }
  })
  const app = Fastify({ logger: { level: 'error', stream } })
  t.teardown(() => app.close())
  app.addSchema({ $id: 'money', type: 'object', properties: { amount: { type: 'number' }, currency: { type: 'string' } }, required: ['amount', 'currency'] })
  const catalog = new Catalog()
  await app.register(rpcPlugin, { services: [catalog] })
  return { app, catalog, logs }
}

async function post (app: FastifyInstance, payload: unknown): Promise<{ status: number, raw: string }> {
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
  return { status: reply.statusCode, raw: reply.payload }
}

function callOf (method: string, id: number | string = 1): object {
  return { jsonrpc: '2.0', method, id }
}

const INTERNAL_ERROR = (id: number | string): string => `{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":${JSON.stringify(id)}}`

test('a matching result goes out byte for byte as JSON.stringify would write it', async t => {
  const { app, catalog } = await harness(t)
  for (const count of [0, 1, 100]) {
    catalog.next = makeItems(count)
    const { status, raw } = await post(app, callOf('items', 'q'))
    t.equal(status, 200)
    t.equal(raw, `{"jsonrpc":"2.0","result":${JSON.stringify(catalog.next)},"id":"q"}`, `${count} items`)
  }
  catalog.next = makeItems(3)
  t.equal((await post(app, callOf('itemsLater'))).raw, `{"jsonrpc":"2.0","result":${JSON.stringify(catalog.next)},"id":1}`, 'async method')
})

test('a result breaking its schema is -32603, logged, and never a coerced body', async t => {
  const { app, catalog, logs } = await harness(t)
  const wrong: Array<[string, unknown]> = [
    // fast-json-stringify alone would write "id":5 for "5" and "name":"[object Object]" for {}.
    ['a string id', [{ ...makeItems(1)[0], id: '5' }]],
    ['an object name', [{ ...makeItems(1)[0], name: {} }]],
    ['a missing member', [{ id: 1, name: 'x', price: 1, tags: [] }]],
    ['not an array', { id: 1 }],
    ['undefined', undefined]
  ]
  for (const [what, result] of wrong) {
    catalog.next = result
    const { status, raw } = await post(app, callOf('items', 7))
    t.equal(status, 500, what)
    t.equal(raw, INTERNAL_ERROR(7), what)
  }
  catalog.next = 'not items'
  t.equal((await post(app, callOf('itemsLater', 8))).raw, INTERNAL_ERROR(8), 'async method')

  t.equal(logs.length, wrong.length + 1, 'each mismatch logged once')
  t.match(logs[0], {
    level: 50,
    rpcMethod: 'items',
    rpcId: 7,
    err: { type: 'ResultMismatchError', message: /Catalog\.items returned a result that does not match its result schema: result\/0\/id must be integer/ }
  })
  t.match(logs[2].err.message, /result\/0\/note must have required property 'note'/)
})

test('extra members: dropped by an open schema (as Fastify does), an error under additionalProperties: false', async t => {
  const { app, catalog } = await harness(t)
  catalog.next = { id: 1, secret: 'hidden' }
  t.equal((await post(app, callOf('open'))).raw, '{"jsonrpc":"2.0","result":{"id":1},"id":1}')
  t.equal((await post(app, callOf('closed'))).raw, INTERNAL_ERROR(1))
  catalog.next = { id: 2 }
  t.equal((await post(app, callOf('closed'))).raw, '{"jsonrpc":"2.0","result":{"id":2},"id":1}')
})

test('a result schema can $ref a schema added with fastify.addSchema', async t => {
  const { app, catalog } = await harness(t)
  catalog.next = { amount: 9.5, currency: 'EUR' }
  t.equal((await post(app, callOf('price'))).raw, '{"jsonrpc":"2.0","result":{"amount":9.5,"currency":"EUR"},"id":1}')
  catalog.next = { amount: '9.5', currency: 'EUR' }
  t.equal((await post(app, callOf('price'))).raw, INTERNAL_ERROR(1))
})

test('a declared string, number return type is checked; a Promise return type is not', async t => {
  const { app, catalog, logs } = await harness(t)
  catalog.next = 'tag "a"'
  t.equal((await post(app, callOf('label'))).raw, '{"jsonrpc":"2.0","result":"tag \\"a\\"","id":1}')
  catalog.next = 42
  t.equal((await post(app, callOf('label'))).raw, INTERNAL_ERROR(1), 'a number from a method declared to return a string')
  t.equal((await post(app, callOf('count'))).raw, '{"jsonrpc":"2.0","result":42,"id":1}')
  catalog.next = Number.NaN
  t.equal((await post(app, callOf('count'))).raw, INTERNAL_ERROR(1), 'NaN is not a JSON number')
  catalog.next = { any: ['thing'] }
  t.equal((await post(app, callOf('untyped'))).raw, '{"jsonrpc":"2.0","result":{"any":["thing"]},"id":1}')
  t.equal(logs.length, 2)
})

test('a notification\'s result is neither checked nor encoded: nobody reads it', async t => {
  const { app, catalog, logs } = await harness(t)
  catalog.next = 42
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: '{"jsonrpc":"2.0","method":"label"}' })
  t.equal(reply.statusCode, 204)
  t.equal(reply.payload, '')
  t.equal(logs.length, 0)
})

test('a batch is composed of the per-call texts, mismatches and all', async t => {
  const { app, catalog } = await harness(t)
  catalog.next = makeItems(2)
  const { status, raw } = await post(app, [
    callOf('items', 1),
    { jsonrpc: '2.0', method: 'items' },
    callOf('label', 2),
    callOf('nope', 3)
  ])
  t.equal(status, 200)
  t.equal(raw, '[' + [
    `{"jsonrpc":"2.0","result":${JSON.stringify(catalog.next)},"id":1}`,
    INTERNAL_ERROR(2),
    '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":3}'
  ].join(',') + ']')
})

test('no double serialization: the app\'s reply serializer and preSerialization hooks never see an RPC answer', async t => {
  const { app, catalog } = await harness(t)
  let serializerCalls = 0
  let hookCalls = 0
  await app.register(async function appRoutes (scope) {
    scope.setReplySerializer(payload => { serializerCalls++; return JSON.stringify(payload) })
    scope.addHook('preSerialization', async (_request, _reply, payload) => { hookCalls++; return payload })
    scope.get('/control', async () => ({ ok: true }))
  })
  // The same hooks on the app itself, where the RPC route lives.
  app.setReplySerializer(payload => { serializerCalls++; return JSON.stringify(payload) })
  app.addHook('preSerialization', async (_request, _reply, payload) => { hookCalls++; return payload })

  catalog.next = makeItems(5)
  const single = await post(app, callOf('items'))
  const batch = await post(app, [callOf('items', 1), callOf('items', 2)])
  t.equal(single.raw, `{"jsonrpc":"2.0","result":${JSON.stringify(catalog.next)},"id":1}`)
  t.equal(batch.raw, `[{"jsonrpc":"2.0","result":${JSON.stringify(catalog.next)},"id":1},{"jsonrpc":"2.0","result":${JSON.stringify(catalog.next)},"id":2}]`)
  t.equal(serializerCalls, 0, 'reply serializer not called for RPC answers')
  t.equal(hookCalls, 0, 'preSerialization not called for RPC answers')

  const control = await app.inject({ method: 'GET', url: '/control' })
  t.same(control.json(), { ok: true })
  t.ok(serializerCalls > 0 && hookCalls > 0, 'the same hooks do run for an ordinary object route, so the counts above can fail')
})

test('an invalid result schema fails at registration', async t => {
  class Broken {
    @rpcMethod({ result: { type: 'strin' as 'string' } })
    name (): string {
      return 'x'
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(rpcPlugin, { services: [new Broken()] }) }, {
    code: 'FST_JSONRPC_INVALID_SCHEMA',
    message: /Broken\.name result: invalid JSON Schema/
  })
})
