import type { AddressInfo } from 'node:net'
import { test } from 'tap'
import { RpcClient, RpcError, type RpcLogEvent } from '../client'
import { buildDemoApp } from '../demo/app'
import { startServer } from './helpers/client-server'
import { lines, parseLine, SEED } from './helpers/seed-lines'

function recorder (): { events: RpcLogEvent[], sent: () => unknown[] } {
  const events: RpcLogEvent[] = []
  return {
    events,
    sent: () => events.filter(event => event.direction === 'request').map(event => JSON.parse(event.body) as unknown)
  }
}

test('one client making the seed\'s five calls logs the seed\'s transcript (ids 1 to 5)', async t => {
  const app = await buildDemoApp({ forceCloseConnections: true })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => await app.close())
  const { port } = app.server.address() as AddressInfo
  const printed: string[] = []
  const client = new RpcClient(`http://127.0.0.1:${port}/rpc`, { log: event => printed.push(event.line) })

  t.equal(await client.request('ping'), 'ping')
  t.equal(await client.request('hao'), 'hao')
  t.equal(await client.request('hello', 'Nancy'), 'Hello, Nancy')
  t.equal(await client.request('Sum', 5, 7), 12)
  const error = await client.request('lid').catch((e: unknown) => e)
  t.ok(error instanceof RpcError, 'lid rejects with RpcError, as the seed raised ReceivedErrorResponse')
  t.match(error, { code: -32601, message: 'Method not found' })

  const seed = lines(SEED)
  t.equal(printed.length, seed.length)
  for (const [index, seedLine] of seed.entries()) {
    const ours = parseLine(printed[index])
    const theirs = parseLine(seedLine)
    t.same([ours.arrow, ours.json, ours.status], [theirs.arrow, theirs.json, theirs.status], `line ${index + 1}`)
  }
})

test('request sends positional params like the seed and resolves to the result', async t => {
  const server = await startServer(t)
  const log = recorder()
  const client = new RpcClient(server.url, { log: event => log.events.push(event) })
  t.equal(await client.request('ping'), 'ping')
  t.equal(await client.request('hello', 'Nancy'), 'Hello, Nancy')
  t.equal(await client.request<number>('Sum', 5, 7), 12)
  t.same(log.sent(), [
    { jsonrpc: '2.0', method: 'ping', id: 1 },
    { jsonrpc: '2.0', method: 'hello', params: ['Nancy'], id: 2 },
    { jsonrpc: '2.0', method: 'Sum', params: [5, 7], id: 3 }
  ], 'no params member without arguments; ids count from 1')
})

test('request leaves trailing undefined arguments out instead of sending null', async t => {
  const server = await startServer(t)
  const log = recorder()
  const client = new RpcClient(server.url, { log: event => log.events.push(event) })
  t.equal(await client.request('hello', 'Nancy', undefined), 'Hello, Nancy')
  t.same(log.sent(), [{ jsonrpc: '2.0', method: 'hello', params: ['Nancy'], id: 1 }])
})

test('call takes params as an array or as an object (by name)', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url)
  t.equal(await client.call('Sum', [2, 3]), 5)
  t.equal(await client.call('Sum', { a: 20, b: 22 }), 42)
  t.equal(await client.call('hello', { name: 'Ada' }), 'Hello, Ada')
  t.equal(await client.call('ping'), 'ping')
  t.same(await client.call('echo', [{ nested: [1, 'two', null] }]), { nested: [1, 'two', null] })
})

test('each client counts its own ids from 1; a custom generator replaces them', async t => {
  const server = await startServer(t)
  const first = recorder()
  const second = recorder()
  const a = new RpcClient(server.url, { log: event => first.events.push(event) })
  const b = new RpcClient(server.url, { log: event => second.events.push(event) })
  await a.request('ping')
  await a.request('ping')
  await b.request('ping')
  t.same(first.sent().map(r => (r as { id: unknown }).id), [1, 2])
  t.same(second.sent().map(r => (r as { id: unknown }).id), [1])

  let n = 0
  const named = recorder()
  const c = new RpcClient(server.url, { idGenerator: () => `req-${++n}`, log: event => named.events.push(event) })
  t.equal(await c.request('hello', 'x'), 'Hello, x')
  t.same(named.sent(), [{ jsonrpc: '2.0', method: 'hello', params: ['x'], id: 'req-1' }])
})

test('notify sends no id and resolves once the server has run the method (204)', async t => {
  const server = await startServer(t)
  const log = recorder()
  const client = new RpcClient(server.url, { log: event => log.events.push(event) })
  t.equal(await client.notify('record', 'first'), undefined)
  await client.notifyWith('record', { value: 'second' })
  t.same(server.service.notified, ['first', 'second'])
  t.same(log.sent(), [
    { jsonrpc: '2.0', method: 'record', params: ['first'] },
    { jsonrpc: '2.0', method: 'record', params: { value: 'second' } }
  ])
  const responses = log.events.filter(event => event.direction === 'response')
  t.same(responses.map(event => event.line), ['<-- (204 No Content)', '<-- (204 No Content)'])
})

test('an error response rejects with the RpcError class the server throws, whatever the status', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url)

  const notFound = await client.request('lid').catch((error: unknown) => error)
  t.ok(notFound instanceof RpcError, '404 with a JSON-RPC body is an RpcError')
  t.match(notFound, { name: 'RpcError', code: -32601, message: 'Method not found', data: undefined })

  const refused = await client.request('refuse', 'no reason').catch((error: unknown) => error)
  t.ok(refused instanceof RpcError)
  t.match(refused, { code: -32050, message: 'Refused', data: { reason: 'no reason' } }, 'code, message and data of the thrown RpcError')

  await t.rejects(client.request('Sum', 1), { constructor: RpcError, code: -32602, message: 'Invalid params' }, '400')
  await t.rejects(client.call('Sum', { a: 1 }), { constructor: RpcError, code: -32602 })
})

test('a refused notification rejects with the RpcError the server answered', async t => {
  const server = await startServer(t, { bodyLimit: 64 })
  const client = new RpcClient(server.url)
  await t.rejects(client.notify('record', 'x'.repeat(200)), { constructor: RpcError, code: -32600 }, '413 with a JSON-RPC body')
  t.same(server.service.notified, [])
})

test('a body the server refuses to read (413, id null) rejects the call with its RpcError', async t => {
  const server = await startServer(t, { bodyLimit: 64 })
  const log = recorder()
  const client = new RpcClient(server.url, { log: event => log.events.push(event) })
  const error = await client.request('echo', 'x'.repeat(200)).catch((e: unknown) => e)
  t.ok(error instanceof RpcError)
  t.match(error, { code: -32600, message: 'Invalid Request' })
  t.match(log.events[1], { direction: 'response', status: 413 })
})

test('in always-200 mode errors still reject with RpcError', async t => {
  const server = await startServer(t, { httpStatus: 'always-200' })
  const log = recorder()
  const client = new RpcClient(server.url, { log: event => log.events.push(event) })
  await t.rejects(client.request('lid'), { constructor: RpcError, code: -32601, message: 'Method not found' })
  await t.rejects(client.request('Sum', 'a'), { constructor: RpcError, code: -32602 })
  t.equal(await client.request('hello', 'Nancy'), 'Hello, Nancy')
  const responses = log.events.filter(e => e.direction === 'response')
  t.same(responses.map(e => e.direction === 'response' && e.status), [200, 200, 200])
  t.equal(responses[0]?.line, '<-- {"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1} (200 OK)')
})

test('in json-rpc-over-http mode the log shows the status the server chose', async t => {
  const server = await startServer(t)
  const log = recorder()
  const client = new RpcClient(server.url, { log: event => log.events.push(event) })
  await client.request('lid').catch(() => undefined)
  await client.request('Sum', 1).catch(() => undefined)
  t.same(log.events.filter(e => e.direction === 'response').map(e => [e.direction === 'response' && e.status, e.line.slice(e.line.lastIndexOf(' ('))]), [
    [404, ' (404 Not Found)'],
    [400, ' (400 Bad Request)']
  ])
})

test('the log hook receives the seed\'s lines; log: true prints them with console.log', async t => {
  const server = await startServer(t)
  const log = recorder()
  const client = new RpcClient(server.url, { log: event => log.events.push(event) })
  await client.request('hello', 'Nancy')
  t.same(log.events, [
    {
      direction: 'request',
      body: '{"jsonrpc":"2.0","method":"hello","params":["Nancy"],"id":1}',
      line: '--> {"jsonrpc":"2.0","method":"hello","params":["Nancy"],"id":1}'
    },
    {
      direction: 'response',
      body: '{"jsonrpc":"2.0","result":"Hello, Nancy","id":1}',
      status: 200,
      statusText: 'OK',
      line: '<-- {"jsonrpc":"2.0","result":"Hello, Nancy","id":1} (200 OK)'
    }
  ])

  const printed = t.capture(console, 'log')
  const loud = new RpcClient(server.url, { log: true })
  await loud.request('lid').catch(() => undefined)
  t.same(printed().map(call => call.args), [
    ['--> {"jsonrpc":"2.0","method":"lid","id":1}'],
    ['<-- {"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1} (404 Not Found)']
  ])
})

test('headers from the options, from a function and from the call reach the server', async t => {
  const server = await startServer(t)
  const fixed = new RpcClient(server.url, { headers: { Authorization: 'Bearer fixed', 'X-Trace': 'a' } })
  await fixed.request('ping')
  await fixed.call('ping', undefined, { headers: { 'x-trace': 'b' } })
  let token = 0
  const refreshing = new RpcClient(server.url, { headers: async () => ({ authorization: `Bearer t${++token}` }) })
  await refreshing.request('ping')
  await refreshing.request('ping')

  t.match(server.headers[0], { authorization: 'Bearer fixed', 'x-trace': 'a', 'content-type': 'application/json', accept: 'application/json' })
  t.match(server.headers[1], { authorization: 'Bearer fixed', 'x-trace': 'b' }, 'a call\'s header overrides the client\'s, whatever its case')
  t.equal(server.headers[2]?.authorization, 'Bearer t1')
  t.equal(server.headers[3]?.authorization, 'Bearer t2', 'the function is called before each call')
})

test('a custom fetch is used for every call', async t => {
  const server = await startServer(t)
  const seen: Array<{ url: string, method: string, body: string }> = []
  const client = new RpcClient(new URL(server.url), {
    fetch: async (url, init) => {
      seen.push({ url, method: init.method, body: init.body })
      return await fetch(url, init)
    }
  })
  t.equal(await client.request('Sum', 1, 2), 3)
  await client.batch().request('ping').notify('ping').send()
  t.same(seen, [
    { url: server.url, method: 'POST', body: '{"jsonrpc":"2.0","method":"Sum","params":[1,2],"id":1}' },
    { url: server.url, method: 'POST', body: '[{"jsonrpc":"2.0","method":"ping","id":2},{"jsonrpc":"2.0","method":"ping"}]' }
  ])
})

test('what cannot be sent is refused before anything goes out', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url)
  await t.rejects(client.call('', []), TypeError)
  await t.rejects(client.call('Sum', null as unknown as []), TypeError)
  await t.rejects(client.call('Sum', 5 as unknown as []), TypeError)
  const badIds = new RpcClient(server.url, { idGenerator: () => null as unknown as number })
  await t.rejects(badIds.request('ping'), TypeError)
  t.throws(() => new RpcClient(server.url, { timeout: -1 }), TypeError)
  await t.rejects(client.call('ping', [], { timeout: Number.NaN }), TypeError)
  t.equal(server.headers.length, 0, 'the server received nothing')
})

test('an exception in the log hook reaches the caller as it is, not as a transport error', async t => {
  const server = await startServer(t)
  const failure = new Error('the hook failed')
  const client = new RpcClient(server.url, { log: event => { if (event.direction === 'response') throw failure } })
  await t.rejects(client.request('record', 'logged'), failure)
  t.same(server.service.notified, ['logged'], 'the call itself went through')
})
