import type { AddressInfo } from 'node:net'
import { test } from 'tap'
import { WebSocket, WebSocketServer } from 'ws'
import { RpcClient, RpcError, RpcTransportError, type RpcLogEvent } from '../client'
import { buildDemoApp } from '../demo/app'
import type { GreetingService } from '../services'

async function demoUrl (t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const app = await buildDemoApp()
  t.teardown(async () => await app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/rpc`
}

function wsClient (t: { teardown: (fn: () => unknown) => void }, url: string, options: ConstructorParameters<typeof RpcClient>[1] = {}): RpcClient {
  const client = new RpcClient(url, { WebSocket, ...options })
  t.teardown(() => client.close())
  return client
}

test('the same API over WebSocket: request, call, notify, batch, proxy, errors', async t => {
  const client = wsClient(t, await demoUrl(t))
  t.equal(await client.request('hello', 'Nancy'), 'Hello, Nancy')
  t.equal(await client.call('Sum', { a: 5, b: 7 }), 12)
  await client.notify('ping')
  const error = await client.request('lid').catch((caught: unknown) => caught)
  t.type(error, RpcError)
  t.match(error, { code: -32601, message: 'Method not found' })
  const outcomes = await client.batch().request('hao').notify('ping').request('lid').call('Sum', [1, 2]).send()
  t.match(outcomes, [
    { status: 'result', result: 'hao' },
    { status: 'notification' },
    { status: 'error', error: { code: -32601 } },
    { status: 'result', result: 3 }
  ])
  t.equal(await client.proxy<GreetingService>().hello('proxy'), 'Hello, proxy')
})

test('concurrent calls on one socket are matched by id', async t => {
  const client = wsClient(t, await demoUrl(t))
  const results = await Promise.all([
    client.request('sleep', 60).then(() => 'slow'),
    client.request('hello', 'fast')
  ])
  t.same(results, ['slow', 'Hello, fast'])
})

test('server notifications reach onNotification handlers, until they are removed', async t => {
  const client = wsClient(t, await demoUrl(t))
  const ticks: unknown[] = []
  const all: string[] = []
  const stop = client.onNotification('ticker', params => { ticks.push(params) })
  client.onNotification('*', (_params, notification) => { all.push(notification.method) })
  const subscription = await client.request<string>('subscribe_ticker', 50)
  await new Promise<void>(resolve => {
    const check = setInterval(() => { if (ticks.length >= 2) { clearInterval(check); resolve() } }, 10)
  })
  t.match(ticks[0], { subscription, seq: 1 })
  t.match(ticks[1], { subscription, seq: 2 })
  stop()
  const seen = ticks.length
  await new Promise(resolve => setTimeout(resolve, 120))
  t.equal(ticks.length, seen, 'a removed handler is not called')
  t.ok(all.length > seen, "the '*' handler kept receiving")
  t.equal(await client.request('unsubscribe_ticker', subscription), true)
})

test('the log hook sees requests and every message over the socket', async t => {
  const events: RpcLogEvent[] = []
  const client = wsClient(t, await demoUrl(t), { log: event => { events.push(event) } })
  await client.request('ping')
  t.same(events.map(event => event.line), [
    '--> {"jsonrpc":"2.0","method":"ping","id":1}',
    '<-- {"jsonrpc":"2.0","result":"ping","id":1}'
  ])
})

test('timeouts, a closed connection and a refused one reject with RpcTransportError', async t => {
  const url = await demoUrl(t)
  const client = wsClient(t, url, { timeout: 50 })
  const timedOut = await client.request('sleep', 500).catch((caught: unknown) => caught)
  t.type(timedOut, RpcTransportError)
  t.equal((timedOut as RpcTransportError).kind, 'timeout')

  const other = wsClient(t, url)
  const waiting = other.request('sleep', 500).catch((caught: unknown) => caught)
  await new Promise(resolve => setTimeout(resolve, 50))
  other.close()
  t.match(await waiting, { name: 'RpcTransportError', kind: 'network' })
  t.equal(await other.request('ping'), 'ping', 'the next call opens a new connection')

  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise(resolve => server.once('listening', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise(resolve => server.close(resolve))
  const refused = await wsClient(t, `ws://127.0.0.1:${port}/rpc`).request('ping').catch((caught: unknown) => caught)
  t.match(refused, { name: 'RpcTransportError', kind: 'network' })
})

test('a response with an unknown id is not taken for the call', async t => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  t.teardown(() => { server.close() })
  server.on('connection', socket => socket.on('message', () => {
    socket.send('{"jsonrpc":"2.0","result":"stray","id":999}')
  }))
  await new Promise(resolve => server.once('listening', resolve))
  const client = wsClient(t, `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { timeout: 100 })
  const outcome = await client.request('ping').catch((caught: unknown) => caught)
  t.match(outcome, { name: 'RpcTransportError', kind: 'timeout' }, 'the stray answer is ignored; the call times out')
})
