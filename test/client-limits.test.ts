import { once } from 'node:events'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'tap'
import { WebSocket, WebSocketServer } from 'ws'
import { DEFAULT_MAX_RESPONSE_BYTES, RpcClient, RpcTransportError, type RpcFetch, type RpcTransportErrorKind } from '../client'
import { startServer } from './helpers/client-server'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

async function failure (call: Promise<unknown>): Promise<RpcTransportError | undefined> {
  const error = await call.then(() => undefined, (caught: unknown) => caught)
  return error instanceof RpcTransportError ? error : undefined
}

function kindOf (error: RpcTransportError | undefined): RpcTransportErrorKind | undefined {
  return error?.kind
}

interface BodyServer {
  url: string
  /** Resolves with the bytes written once the server's answer ended or its connection closed. */
  finished: Promise<{ written: number, completed: boolean }>
}

/**
 * A node:http server on 127.0.0.1 whose one answer is `chunk` written over and
 * over, up to `maxChunks` (a bound, so that it stops by itself), respecting
 * backpressure; it stops early when the client goes away.
 */
async function startStreamingServer (t: Teardown, chunk: string, maxChunks: number, headers: Record<string, string> = {}): Promise<BodyServer> {
  let settle: (outcome: { written: number, completed: boolean }) => void = () => {}
  const finished = new Promise<{ written: number, completed: boolean }>(resolve => { settle = resolve })
  const bytes = Buffer.from(chunk)
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume()
    response.writeHead(200, { 'content-type': 'application/json', ...headers })
    let written = 0
    let closed = false
    response.on('close', () => {
      closed = true
      settle({ written, completed: response.writableFinished })
    })
    const pump = (): void => {
      while (!closed && written < maxChunks * bytes.length) {
        written += bytes.length
        if (!response.write(bytes)) {
          response.once('drain', pump)
          return
        }
      }
      if (!closed) response.end()
    }
    pump()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    server.close()
    await once(server, 'close')
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`, finished }
}

test('an endless body with timeout 0 is cut off at maxResponseBytes, and the body is cancelled', async t => {
  // Up to 4 MiB offered; the client must stop after 64 KiB and close the connection.
  const server = await startStreamingServer(t, 'x'.repeat(1024), 4096)
  const client = new RpcClient(server.url, { timeout: 0, maxResponseBytes: 64 * 1024 })
  const error = await failure(client.request('ping'))
  t.equal(kindOf(error), 'too-large', 'kind too-large')
  t.match(error?.message, /more than 65536 bytes/)
  t.equal(error?.status, 200, 'the status that came with it')
  const { written, completed } = await server.finished
  t.equal(completed, false, 'the server\'s answer never completed: the client closed the connection')
  t.ok(written < 4096 * 1024, `the server stopped writing early (${written} bytes written)`)
})

test('the default limit (10 MiB) bounds an endless body when no limit is given', async t => {
  t.equal(DEFAULT_MAX_RESPONSE_BYTES, 10 * 1024 * 1024)
  // Up to 32 MiB offered.
  const server = await startStreamingServer(t, 'y'.repeat(64 * 1024), 512)
  const client = new RpcClient(server.url, { timeout: 0 })
  const error = await failure(client.request('ping'))
  t.equal(kindOf(error), 'too-large')
  t.match(error?.message, /more than 10485760 bytes/)
  const { completed } = await server.finished
  t.equal(completed, false, 'the answer was not read to its end')
})

test('an answer declaring a Content-Length over the limit is refused unread', async t => {
  // One chunk of 100 KiB, announced: the client refuses it before reading the body.
  const server = await startStreamingServer(t, 'z'.repeat(100 * 1024), 1, { 'content-length': String(100 * 1024) })
  const client = new RpcClient(server.url, { maxResponseBytes: 1000 })
  const error = await failure(client.request('ping'))
  t.equal(kindOf(error), 'too-large')
  t.equal(error?.status, 200)
})

test('an answer of exactly maxResponseBytes is read; one byte more is not', async t => {
  const server = await startServer(t)
  // The answer to echo(value) is {"jsonrpc":"2.0","result":"<value>","id":1}: sized by the value.
  const frame = '{"jsonrpc":"2.0","result":"","id":1}'.length
  // Multi-byte characters (3 bytes each in UTF-8) are counted as bytes, and survive chunk boundaries.
  const value = '€'.repeat(20_000)
  const size = frame + 3 * value.length
  const exact = new RpcClient(server.url, { maxResponseBytes: size })
  t.equal(await exact.request('echo', value), value, 'an answer of exactly the limit')
  const under = new RpcClient(server.url, { maxResponseBytes: size - 1 })
  t.equal(kindOf(await failure(under.request('echo', value))), 'too-large', 'one byte over the limit')
  t.equal(await under.request('echo', 'small'), 'small', 'the client keeps working afterwards')
})

test('maxResponseBytes must be a whole number of bytes, 1 or more', async t => {
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1000', null]) {
    t.throws(() => new RpcClient('http://127.0.0.1:1/rpc', { maxResponseBytes: bad as number }), TypeError, `refuses ${String(bad)}`)
  }
  t.doesNotThrow(() => new RpcClient('http://127.0.0.1:1/rpc', { maxResponseBytes: 1 }))
})

test('a batch answer over the limit rejects the batch with too-large', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url, { maxResponseBytes: 500 })
  const batch = client.batch()
  for (let index = 0; index < 20; index++) batch.request('echo', `value number ${index} `.repeat(3))
  t.equal(kindOf(await failure(batch.send())), 'too-large')
})

/** A fetch built on node:http whose body is the Node stream itself (as node-fetch gives it). */
const nodeStreamFetch: RpcFetch = async (url, init) => await new Promise((resolve, reject) => {
  const outgoing = httpRequest(url, { method: init.method, headers: init.headers, signal: init.signal }, incoming => {
    resolve({
      status: incoming.statusCode ?? 0,
      statusText: incoming.statusMessage ?? '',
      body: incoming,
      text: async () => { throw new Error('not used: the body is read as a stream') }
    })
  })
  outgoing.on('error', reject)
  outgoing.end(init.body)
})

test('a fetch whose body is a Node stream is read incrementally and destroyed at the limit', async t => {
  const server = await startStreamingServer(t, 'n'.repeat(1024), 4096)
  const client = new RpcClient(server.url, { timeout: 0, maxResponseBytes: 32 * 1024, fetch: nodeStreamFetch })
  t.equal(kindOf(await failure(client.request('ping'))), 'too-large')
  t.equal((await server.finished).completed, false, 'the connection was closed before the answer ended')

  const real = await startServer(t)
  const reader = new RpcClient(real.url, { fetch: nodeStreamFetch })
  t.equal(await reader.request('hello', 'stream'), 'Hello, stream', 'a normal answer still reads whole')
})

test('a fetch without a body stream is checked once read', async t => {
  const textOnly: RpcFetch = async () => ({ status: 200, statusText: 'OK', text: async () => `{"jsonrpc":"2.0","result":"${'é'.repeat(600)}","id":1}` })
  // 1236 bytes in UTF-8 (600 two-byte characters), 636 UTF-16 units: counted in bytes.
  t.equal(kindOf(await failure(new RpcClient('http://127.0.0.1:1/rpc', { fetch: textOnly, maxResponseBytes: 1000 }).request('x'))), 'too-large')
  t.equal(await new RpcClient('http://127.0.0.1:1/rpc', { fetch: textOnly, maxResponseBytes: 1236 }).request('x'), 'é'.repeat(600))
})

interface SocketServer {
  url: string
  /** Close codes of the connections the server saw closed, in order. */
  closes: number[]
}

/** A ws server on 127.0.0.1 that answers each call with `result` and the call's id. */
async function startAnsweringSocketServer (t: Teardown, result: string): Promise<SocketServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await once(server, 'listening')
  const closes: number[] = []
  server.on('connection', socket => {
    socket.on('close', code => { closes.push(code) })
    socket.on('message', data => {
      const message = JSON.parse(String(data)) as { id: number, params: [string] }
      const answer = message.params[0] === 'small' ? 'small' : result
      socket.send(JSON.stringify({ jsonrpc: '2.0', result: answer, id: message.id }))
    })
  })
  t.teardown(async () => {
    for (const client of server.clients) client.terminate()
    server.close()
    await once(server, 'close')
  })
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`, closes }
}

test('over WebSocket (ws class): a message over the limit is refused by maxPayload, too-large', async t => {
  const server = await startAnsweringSocketServer(t, 'w'.repeat(64 * 1024))
  const client = new RpcClient(server.url, { WebSocket, maxResponseBytes: 16 * 1024 })
  t.teardown(() => { client.close() })
  const error = await failure(client.request('echo', 'big'))
  t.equal(kindOf(error), 'too-large')
  t.match(error?.message, /more than 16384 bytes/)
  t.equal(await client.request('echo', 'small'), 'small', 'a new connection serves the next call')
})

/** A WebSocket class that ignores the options argument, as a browser's does. */
class OptionlessWebSocket extends WebSocket {
  // Only the URL reaches ws: the options argument a browser's WebSocket does not take is dropped here.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor (url: string) {
    super(url)
  }
}

test('over WebSocket (a class without maxPayload): the message is checked on arrival and the socket closed with 1009', async t => {
  const server = await startAnsweringSocketServer(t, 'b'.repeat(64 * 1024))
  const client = new RpcClient(server.url, { WebSocket: OptionlessWebSocket, maxResponseBytes: 16 * 1024 })
  t.teardown(() => { client.close() })
  const error = await failure(client.request('echo', 'big'))
  t.equal(kindOf(error), 'too-large')
  // Bounded wait for the server to see the close (no timing claim).
  for (let tries = 0; tries < 200 && server.closes.length === 0; tries++) await new Promise(resolve => setTimeout(resolve, 10))
  t.same(server.closes, [1009], 'the client closed with 1009 Message Too Big')
  t.equal(await client.request('echo', 'small'), 'small', 'a new connection serves the next call')
})

test('over WebSocket, the server closing with 1009 (our message too big for it) fails the waiting call as connection-lost', async t => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 100 })
  await once(server, 'listening')
  // ws reports the refused message on the server's socket too: expected here.
  server.on('connection', socket => { socket.on('error', () => {}) })
  t.teardown(async () => { server.close(); await once(server, 'close') })
  const client = new RpcClient(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`, { WebSocket })
  t.teardown(() => { client.close() })
  const error = await failure(client.request('echo', 'q'.repeat(500)))
  t.equal(kindOf(error), 'connection-lost')
  t.match(error?.message, /1009/)
})
