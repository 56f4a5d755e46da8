import { test } from 'tap'
import { RpcClient, RpcError, RpcTransportError, type RpcTransportErrorKind } from '../client'
import { closedPortUrl, startRawServer, startServer } from './helpers/client-server'

async function transportFailure (t: tap.Test, call: Promise<unknown>, kind: RpcTransportErrorKind, message?: string): Promise<RpcTransportError | undefined> {
  const error = await call.then(() => undefined, (e: unknown) => e)
  t.ok(error instanceof RpcTransportError, message ?? `rejects with RpcTransportError (${kind})`)
  t.not(error instanceof RpcError, true, 'not an RpcError')
  t.equal((error as RpcTransportError | undefined)?.kind, kind, message ?? `kind ${kind}`)
  return error instanceof RpcTransportError ? error : undefined
}

test('a call that outlives the timeout rejects with kind timeout', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url, { timeout: 100 })
  const error = await transportFailure(t, client.request('sleep', 1000), 'timeout')
  t.match(error?.message, /within 100 ms/)
  t.equal(error?.name, 'RpcTransportError')
  // Not a timing assertion: a generous limit, only to show the client still works after a timeout.
  t.equal(await client.call('sleep', [1], { timeout: 10_000 }), 'slept 1', 'the client is usable after a timeout')
})

test('a call\'s own timeout overrides the client\'s', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url, { timeout: 0 })
  await transportFailure(t, client.call('sleep', [1000], { timeout: 50 }), 'timeout')
  const patient = new RpcClient(server.url, { timeout: 50 })
  t.equal(await patient.call('sleep', [200], { timeout: 5000 }), 'slept 200')
})

test('an AbortSignal aborts the call, before or while it is sent', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url)
  const early = new AbortController()
  early.abort()
  await transportFailure(t, client.call('ping', [], { signal: early.signal }), 'aborted', 'already aborted')
  t.equal(server.headers.length, 0, 'nothing was sent')

  const late = new AbortController()
  const pending = client.call('sleep', [1000], { signal: late.signal })
  setTimeout(() => { late.abort() }, 50)
  await transportFailure(t, pending, 'aborted', 'aborted in flight')
})

test('a closed port is a network failure, not a hang', async t => {
  const url = await closedPortUrl()
  const client = new RpcClient(url)
  const error = await transportFailure(t, client.request('ping'), 'network')
  t.match(error?.message, /ECONNREFUSED/)
  t.equal(error?.status, undefined, 'no status: no answer came')
  await transportFailure(t, client.notify('ping'), 'network', 'notifications too')
})

test('a response with another id, or none, is an id mismatch', async t => {
  const cases: Array<[string, string]> = [
    ['another number', '{"jsonrpc":"2.0","result":"ping","id":999}'],
    ['the id as a string', '{"jsonrpc":"2.0","result":"ping","id":"1"}'],
    ['no id', '{"jsonrpc":"2.0","result":"ping"}'],
    ['a null id on a result', '{"jsonrpc":"2.0","result":"ping","id":null}'],
    ['an error with another id', '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":2}']
  ]
  let body = ''
  const raw = await startRawServer(t, () => ({ status: 200, body }))
  for (const [name, answer] of cases) {
    body = answer
    const error = await transportFailure(t, new RpcClient(raw.url).request('ping'), 'id-mismatch', name)
    t.equal(error?.body, answer, 'the body received is kept for inspection')
  }
  t.equal(raw.bodies.length, cases.length)
})

test('a body that is not JSON, or not JSON-RPC, is a transport error saying so', async t => {
  let answer = { status: 200, body: '', contentType: 'application/json' }
  const raw = await startRawServer(t, () => answer)
  const client = new RpcClient(raw.url)

  answer = { status: 200, body: '<html>hello</html>', contentType: 'text/html' }
  const notJson = await transportFailure(t, client.request('ping'), 'invalid-json', '200 with HTML')
  t.equal(notJson?.status, 200)
  t.equal(notJson?.body, '<html>hello</html>')

  answer = { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' }
  const gateway = await transportFailure(t, client.request('ping'), 'http-status', '502 from a proxy')
  t.equal(gateway?.status, 502)
  t.equal(gateway?.statusText, 'Bad Gateway')
  t.match(gateway?.message, /HTTP 502 Bad Gateway/)

  answer = { status: 401, body: '', contentType: 'text/plain' }
  await transportFailure(t, client.request('ping'), 'http-status', '401 without a body')
  await transportFailure(t, client.notify('ping'), 'http-status', 'a notification answered 401')

  answer = { status: 500, body: '{"message":"boom"}', contentType: 'application/json' }
  await transportFailure(t, client.request('ping'), 'http-status', '500 with JSON that is not JSON-RPC')

  answer = { status: 200, body: '{"result":"ping","id":1}', contentType: 'application/json' }
  await transportFailure(t, new RpcClient(raw.url).request('ping'), 'invalid-response', 'no jsonrpc member')
  answer = { status: 200, body: '{"jsonrpc":"2.0","result":1,"error":{"code":1,"message":"x"},"id":1}', contentType: 'application/json' }
  await transportFailure(t, new RpcClient(raw.url).request('ping'), 'invalid-response', 'both result and error')
  answer = { status: 200, body: '{"jsonrpc":"2.0","error":{"code":"x","message":"x"},"id":1}', contentType: 'application/json' }
  await transportFailure(t, new RpcClient(raw.url).request('ping'), 'invalid-response', 'an error code that is not an integer')
  answer = { status: 204, body: '', contentType: 'application/json' }
  await transportFailure(t, new RpcClient(raw.url).request('ping'), 'invalid-response', 'no body for a call')
})

test('a notification is accepted on any 2xx, whatever body comes with it', async t => {
  let answer = { status: 200, body: 'OK', contentType: 'text/plain' }
  const raw = await startRawServer(t, () => answer)
  const client = new RpcClient(raw.url)
  t.equal(await client.notify('ping'), undefined, '200 with a text body')
  answer = { status: 202, body: '', contentType: 'text/plain' }
  t.equal(await client.notify('ping'), undefined, '202 without a body')
  answer = { status: 200, body: '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}', contentType: 'application/json' }
  await t.rejects(client.notify('ping'), { constructor: RpcError, code: -32600 }, 'but an error body is a refusal')
  t.same(raw.bodies, Array(3).fill('{"jsonrpc":"2.0","method":"ping"}'))
})

test('an error response with a null id is the server refusing the request: an RpcError', async t => {
  const raw = await startRawServer(t, () => ({ status: 415, body: '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request","data":"unsupported"},"id":null}' }))
  const error = await new RpcClient(raw.url).request('ping').catch((e: unknown) => e)
  t.ok(error instanceof RpcError)
  t.match(error, { code: -32600, message: 'Invalid Request', data: 'unsupported' })
})

test('the real server\'s 415 answer carries a JSON-RPC error the client reads', async t => {
  const server = await startServer(t)
  const wrongType = new RpcClient(server.url, { headers: { 'Content-Type': 'text/plain' } })
  const error = await wrongType.request('ping').catch((e: unknown) => e)
  t.ok(error instanceof RpcError, '415 with a JSON-RPC body')
  t.match(error, { code: -32600, data: /unsupported content type/ })
})
