import { test } from 'tap'
import { appWith, post } from './fixtures/app'
import { SpecService } from './fixtures/spec-service'

/**
 * Every example of the JSON-RPC 2.0 specification, section 7, with its
 * request text and expected response as the specification prints them.
 * Where we add a `data` member to an error (the specification allows it), the
 * comparison leaves it out and checks it separately.
 */
function withoutErrorData (body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutErrorData)
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const { data: _data, ...error } = (body as { error: Record<string, unknown> }).error
    return { ...body, error }
  }
  return body
}

async function specApp (t: Parameters<typeof appWith>[0]): Promise<{ app: Awaited<ReturnType<typeof appWith>>, service: SpecService }> {
  const service = new SpecService()
  return { app: await appWith(t, { services: [service] }), service }
}

test('rpc call with positional parameters', async t => {
  const { app } = await specApp(t)
  t.same((await post(app, '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}')).json(),
    { jsonrpc: '2.0', result: 19, id: 1 })
  t.same((await post(app, '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}')).json(),
    { jsonrpc: '2.0', result: -19, id: 2 })
})

test('rpc call with named parameters', async t => {
  const { app } = await specApp(t)
  t.same((await post(app, '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}')).json(),
    { jsonrpc: '2.0', result: 19, id: 3 })
  t.same((await post(app, '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}')).json(),
    { jsonrpc: '2.0', result: 19, id: 4 })
})

test('a notification gets no response, but runs', async t => {
  const { app, service } = await specApp(t)
  const update = await post(app, '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}')
  t.equal(update.statusCode, 204)
  t.equal(update.body, '')
  t.same(service.notified, [{ method: 'update', args: [1, 2, 3, 4, 5] }])
  const foobar = await post(app, '{"jsonrpc": "2.0", "method": "foobar"}')
  t.equal(foobar.statusCode, 204, 'a notification of an unknown method gets no response either')
  t.equal(foobar.body, '')
})

test('rpc call of a non-existent method', async t => {
  const { app } = await specApp(t)
  const reply = await post(app, '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' })
})

test('rpc call with invalid JSON', async t => {
  const { app } = await specApp(t)
  const reply = await post(app, '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
})

test('rpc call with invalid Request object', async t => {
  const { app } = await specApp(t)
  const reply = await post(app, '{"jsonrpc": "2.0", "method": 1, "params": "bar"}')
  const body = reply.json()
  t.same(withoutErrorData(body), { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null })
  t.type(body.error.data, 'string', 'data says what is wrong')
})

test('rpc call Batch, invalid JSON', async t => {
  const { app } = await specApp(t)
  const reply = await post(app, `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
})

test('rpc call with an empty Array', async t => {
  const { app } = await specApp(t)
  const reply = await post(app, '[]')
  t.same(withoutErrorData(reply.json()), { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null })
})

test('rpc call with an invalid Batch (but not empty)', async t => {
  const { app } = await specApp(t)
  const reply = await post(app, '[1]')
  t.same(withoutErrorData(reply.json()), [
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }
  ])
})

test('rpc call with invalid Batch', async t => {
  const { app } = await specApp(t)
  const reply = await post(app, '[1,2,3]')
  t.same(withoutErrorData(reply.json()), [
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }
  ])
})

test('rpc call Batch', async t => {
  const { app, service } = await specApp(t)
  const reply = await post(app, `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
  {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
  {"foo": "boo"},
  {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
  {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
]`)
  t.equal(reply.statusCode, 200)
  t.same(withoutErrorData(reply.json()), [
    { jsonrpc: '2.0', result: 7, id: '1' },
    { jsonrpc: '2.0', result: 19, id: '2' },
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
    { jsonrpc: '2.0', result: ['hello', 5], id: '9' }
  ])
  t.same(service.notified, [{ method: 'notify_hello', args: [7] }])
})

test('rpc call Batch (all notifications)', async t => {
  const { app, service } = await specApp(t)
  const reply = await post(app, `[
  {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
]`)
  t.equal(reply.statusCode, 204)
  t.equal(reply.body, '', 'nothing is returned for all notification batches')
  t.same(service.notified, [
    { method: 'notify_sum', args: [1, 2, 4] },
    { method: 'notify_hello', args: [7] }
  ])
})
