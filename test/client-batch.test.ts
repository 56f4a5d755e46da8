import { test } from 'tap'
import { RpcClient, RpcError, RpcTransportError, type RpcLogEvent } from '../client'
import { startRawServer, startServer } from './helpers/client-server'

test('a batch gives each entry its own outcome, in order, notifications included', async t => {
  const server = await startServer(t)
  const events: RpcLogEvent[] = []
  const client = new RpcClient(server.url, { log: event => events.push(event) })
  const batch = client.batch()
    .request('hello', 'Nancy')
    .notify('record', 'from a batch')
    .call('Sum', { a: 5, b: 7 })
    .request('lid')
    .notifyWith('record', ['second'])
    .request('refuse', 'busy')
  t.equal(batch.size, 6)
  const outcomes = await batch.send()

  t.same(JSON.parse(events[0]?.body ?? ''), [
    { jsonrpc: '2.0', method: 'hello', params: ['Nancy'], id: 1 },
    { jsonrpc: '2.0', method: 'record', params: ['from a batch'] },
    { jsonrpc: '2.0', method: 'Sum', params: { a: 5, b: 7 }, id: 2 },
    { jsonrpc: '2.0', method: 'lid', id: 3 },
    { jsonrpc: '2.0', method: 'record', params: ['second'] },
    { jsonrpc: '2.0', method: 'refuse', params: ['busy'], id: 4 }
  ], 'one HTTP request holding every entry')
  t.equal(events.length, 2)
  t.match(events[1], { direction: 'response', status: 200 })

  t.equal(outcomes.length, 6)
  t.same(outcomes[0], { status: 'result', id: 1, result: 'Hello, Nancy' })
  t.same(outcomes[1], { status: 'notification' })
  t.same(outcomes[2], { status: 'result', id: 2, result: 12 })
  t.match(outcomes[3], { status: 'error', id: 3 })
  t.same(outcomes[4], { status: 'notification' })
  t.match(outcomes[5], { status: 'error', id: 4 })
  const notFound = outcomes[3]?.status === 'error' ? outcomes[3].error : undefined
  t.ok(notFound instanceof RpcError)
  t.match(notFound, { code: -32601, message: 'Method not found' })
  const refused = outcomes[5]?.status === 'error' ? outcomes[5].error : undefined
  t.match(refused, { code: -32050, message: 'Refused', data: { reason: 'busy' } })
  t.same(server.service.notified.sort(), ['from a batch', 'second'])
})

test('a batch of notifications only resolves on the server\'s 204', async t => {
  const server = await startServer(t)
  const events: RpcLogEvent[] = []
  const client = new RpcClient(server.url, { log: event => events.push(event) })
  const outcomes = await client.batch().notify('record', 1).notify('record', 2).send()
  t.same(outcomes, [{ status: 'notification' }, { status: 'notification' }])
  t.equal(events[1]?.line, '<-- (204 No Content)')
  t.same(server.service.notified.sort(), [1, 2])
})

test('explicit ids are sent as given and must be unique', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url)
  const outcomes = await client.batch().call('ping', undefined, { id: 'a' }).call('hao', [], { id: 7 }).request('ping').send()
  t.same(outcomes, [
    { status: 'result', id: 'a', result: 'ping' },
    { status: 'result', id: 7, result: 'hao' },
    { status: 'result', id: 1, result: 'ping' }
  ])
  t.throws(() => client.batch().call('ping', [], { id: 1 }).call('hao', [], { id: 1 }), /already holds a call with id 1/)
})

test('a batch is sent once, and never empty', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url)
  await t.rejects(client.batch().send(), /empty batch/)
  const batch = client.batch().request('ping')
  await batch.send()
  await t.rejects(batch.send(), /sent already/)
  t.throws(() => batch.request('ping'), /sent already/)
  t.equal(server.headers.length, 1, 'only the first send reached the server')
})

test('a batch the server refuses as a whole rejects with its RpcError', async t => {
  const server = await startServer(t, { maxBatchSize: 2 })
  const client = new RpcClient(server.url)
  const error = await client.batch().request('ping').request('hao').request('ping').send().catch((e: unknown) => e)
  t.ok(error instanceof RpcError)
  t.match(error, { code: -32600, data: { maxBatchSize: 2, received: 3 } })
})

test('batch answers whose ids do not match the calls are transport errors', async t => {
  const answers: Record<string, string> = {
    unknown: '[{"jsonrpc":"2.0","result":1,"id":1},{"jsonrpc":"2.0","result":2,"id":99}]',
    missing: '[{"jsonrpc":"2.0","result":1,"id":1}]',
    twice: '[{"jsonrpc":"2.0","result":1,"id":1},{"jsonrpc":"2.0","result":1,"id":1}]',
    nullId: '[{"jsonrpc":"2.0","result":1,"id":1},{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}]'
  }
  let current = ''
  const raw = await startRawServer(t, () => ({ status: 200, body: answers[current] ?? '' }))
  for (const name of Object.keys(answers)) {
    current = name
    const client = new RpcClient(raw.url)
    const error = await client.batch().request('a').request('b').send().catch((e: unknown) => e)
    t.ok(error instanceof RpcTransportError, name)
    t.match(error, { kind: 'id-mismatch', status: 200 }, name)
  }
  current = 'object'
  answers.object = '{"jsonrpc":"2.0","result":[1,2],"id":1}'
  const single = await new RpcClient(raw.url).batch().request('a').send().catch((e: unknown) => e)
  t.ok(single instanceof RpcTransportError, 'a single result for a batch')
  t.match(single, { kind: 'invalid-response' })
  current = 'empty'
  answers.empty = ''
  const empty = await new RpcClient(raw.url).batch().request('a').send().catch((e: unknown) => e)
  t.ok(empty instanceof RpcTransportError, 'no body for a batch with calls')
  t.match(empty, { kind: 'invalid-response' })
})
