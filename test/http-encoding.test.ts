import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { PassThrough } from 'node:stream'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { test } from 'tap'
import { rpcPlugin, type RpcPluginOptions } from '../index'
import { GreetingService } from '../services'
import { ClientTestService } from './helpers/client-server'
import { readBody } from '../plugin/transports/http-body-reading'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
}

/** A real server on 127.0.0.1; `post` sends raw bytes with the headers given, as any HTTP client could. */
async function startApp (t: Teardown, options: Partial<RpcPluginOptions> = {}): Promise<{ post: (body: string | Buffer, headers?: Record<string, string>) => Promise<Answer>, url: string }> {
  const app = Fastify({ forceCloseConnections: true })
  await app.register(rpcPlugin, { services: [new ClientTestService()], ...options })
  // A route of the app's own: the endpoint's encoding rules must not reach it.
  app.post('/own', async request => ({ received: request.body }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => await app.close())
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return {
    url: base,
    post: async (body, headers = {}) => {
      const response = await fetch(`${base}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
      const text = await response.text()
      let json: unknown
      try { json = JSON.parse(text) } catch { json = undefined }
      return { status: response.status, headers: response.headers, text, json }
    }
  }
}

const PING = '{"jsonrpc":"2.0","method":"ping","id":1}'
const PONG = { jsonrpc: '2.0', result: 'ping', id: 1 }

test('a charset given twice, conflicting or not, gets 415', async t => {
  const { post } = await startApp(t)
  for (const contentType of [
    'application/json; charset=utf-8; charset=latin1',
    'application/json; charset=latin1; charset=utf-8',
    'application/json; charset=utf-8; charset=utf-8',
    'application/json;charset=utf-8;CHARSET="UTF-8"'
  ]) {
    const answer = await post(PING, { 'content-type': contentType })
    t.equal(answer.status, 415, contentType)
    t.match(answer.json, { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request', data: /the charset parameter is given 2 times/ }, id: null })
  }
})

test('the charset is found whatever its case, and not inside another parameter\'s quoted value', async t => {
  const { post } = await startApp(t)
  const refused = await post(PING, { 'content-type': 'application/json; Charset=latin1' })
  t.equal(refused.status, 415, 'Charset=latin1')
  t.match(refused.json, { error: { data: 'unsupported charset "latin1"; JSON-RPC bodies are UTF-8' } })
  const quoted = await post(PING, { 'content-type': 'application/json; profile="a;charset=latin1"; charset=utf-8' })
  t.equal(quoted.status, 200, 'a quoted ";charset=" is part of another value')
  t.same(quoted.json, PONG)
})

test('a UTF-8 byte order mark at the start of the body is ignored (RFC 8259); a second one is not', async t => {
  const { post } = await startApp(t)
  const bom = Buffer.from([0xef, 0xbb, 0xbf])
  const one = await post(Buffer.concat([bom, Buffer.from(PING)]))
  t.equal(one.status, 200)
  t.same(one.json, PONG)
  const batch = await post(Buffer.concat([bom, Buffer.from(`[${PING}]`)]))
  t.same(batch.json, [PONG], 'a batch too')
  const two = await post(Buffer.concat([bom, bom, Buffer.from(PING)]))
  t.equal(two.status, 400)
  t.match(two.json, { error: { code: -32700 }, id: null }, 'two marks: a parse error')
  const inside = await post('{"jsonrpc":"2.0","method":"echo","params":["\uFEFFx"],"id":1}')
  t.same(inside.json, { jsonrpc: '2.0', result: '\uFEFFx', id: 1 }, 'a U+FEFF inside a string is data, kept')
})

test('a gzip body is inflated and answered (gzip, x-gzip, any case)', async t => {
  const { post } = await startApp(t)
  for (const coding of ['gzip', 'x-gzip', 'GZip']) {
    const answer = await post(gzipSync(PING), { 'content-encoding': coding })
    t.equal(answer.status, 200, coding)
    t.same(answer.json, PONG, coding)
  }
  const bomInGzip = await post(gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PING)])), { 'content-encoding': 'gzip' })
  t.same(bomInGzip.json, PONG, 'a byte order mark inside the gzip body is ignored too')
  const identity = await post(PING, { 'content-encoding': 'identity' })
  t.same(identity.json, PONG, 'identity: the body as is')
})

test('bodyLimit counts the inflated bytes: a small gzip body inflating past it gets 413, a zip bomb too', async t => {
  const { post } = await startApp(t, { bodyLimit: 4096 })
  const big = `{"jsonrpc":"2.0","method":"echo","params":["${'a'.repeat(5000)}"],"id":1}`
  const compressed = gzipSync(big)
  t.ok(compressed.length < 4096, `sent ${compressed.length} bytes, under the limit`)
  const answer = await post(compressed, { 'content-encoding': 'gzip' })
  t.equal(answer.status, 413)
  t.match(answer.json, { jsonrpc: '2.0', error: { code: -32600, data: 'the request body is larger than this endpoint accepts' }, id: null })

  // 16 MiB of spaces (valid JSON whitespace) in about 16 KiB.
  const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20))
  const exploded = await post(bomb, { 'content-encoding': 'gzip' })
  t.equal(exploded.status, 413, `a ${bomb.length}-byte zip bomb`)
  t.same((await post(PING)).json, PONG, 'the server still answers')

  const under = `{"jsonrpc":"2.0","method":"echo","params":["${'b'.repeat(3000)}"],"id":1}`
  const fits = await post(gzipSync(under), { 'content-encoding': 'gzip' })
  t.equal(fits.status, 200, 'inflated under the limit: answered')
})

test('a body that is not valid gzip gets 400 with the reason', async t => {
  const { post } = await startApp(t)
  const notGzip = await post(PING, { 'content-encoding': 'gzip' })
  t.equal(notGzip.status, 400)
  t.match(notGzip.json, { jsonrpc: '2.0', error: { code: -32600, data: /^the body is not valid gzip: / }, id: null })
  const whole = gzipSync(PING)
  const truncated = await post(whole.subarray(0, whole.length - 6), { 'content-encoding': 'gzip' })
  t.equal(truncated.status, 400, 'a truncated gzip body')
  t.match(truncated.json, { error: { data: /not valid gzip/ } })
})

test('another Content-Encoding gets 415 with Accept-Encoding: gzip', async t => {
  const { post } = await startApp(t)
  for (const coding of ['deflate', 'br', 'compress', 'zstd', 'gzip, gzip', 'identity, gzip']) {
    const answer = await post(PING, { 'content-encoding': coding })
    t.equal(answer.status, 415, coding)
    t.equal(answer.headers.get('accept-encoding'), 'gzip', `${coding}: says what is accepted`)
    t.match(answer.json, { jsonrpc: '2.0', error: { code: -32600, data: /^unsupported Content-Encoding ".+"; send the body as is, or gzip$/ }, id: null })
  }
})

test('the encoding rules stay on the endpoint: the app\'s own routes keep Fastify\'s behaviour', async t => {
  const { url } = await startApp(t)
  const response = await fetch(`${url}/own`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8; charset=latin1', 'content-encoding': 'br' }, body: '{"a":1}' })
  t.equal(response.status, 200)
  t.same(await response.json(), { received: { a: 1 } })
})

test('with the plugin\'s default bodyLimit (the instance\'s), a gzip body is bounded too', async t => {
  const app = Fastify({ bodyLimit: 2048 })
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  t.teardown(async () => await app.close())
  const body = `{"jsonrpc":"2.0","method":"hello","params":["${'c'.repeat(3000)}"],"id":1}`
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(body) })
  t.equal(reply.statusCode, 413)
  const small = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync('{"jsonrpc":"2.0","method":"hello","params":["d"],"id":1}') })
  t.same(small.json(), { jsonrpc: '2.0', result: 'Hello, d', id: 1 })
})

test('the endpoint\'s POST route runs no hook of its own: encodings are decoded by its content-type parser', async t => {
  // A route-level hook runs on every request, encoded or not; the usual unencoded call must not pay for gzip support.
  const app = Fastify()
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  t.teardown(async () => await app.close())
  await app.ready()
  const routes = app.printRoutes({ includeHooks: true, commonPrefix: false, method: 'POST' })
  t.match(routes, /\/rpc \(POST\)/)
  t.notMatch(routes, /onRequest|preParsing|preValidation|preHandler|onSend|onResponse/, routes)
  const gzipped = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(PING) })
  t.same(gzipped.json(), PONG, 'a gzip body is still inflated')
})

/** Raw HTTP/1.1 over a socket, for what fetch will not send: a wrong Content-Length, a chunked upload. */
async function rawExchange (url: string, request: string | Buffer): Promise<string> {
  const { port } = new URL(url)
  return await new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => { socket.end(request) })
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', chunk => { answer += chunk })
    socket.on('end', () => { resolve(answer) })
    socket.on('error', reject)
  })
}

test('the body is read within bodyLimit as Fastify reads it: chunked uploads, wrong lengths, split characters', async t => {
  const { post, url } = await startApp(t, { bodyLimit: 4096 })
  const head = 'POST /rpc HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nconnection: close\r\n'

  const chunked = await rawExchange(url, `${head}transfer-encoding: chunked\r\n\r\n10\r\n${PING.slice(0, 16)}\r\n${(PING.length - 16).toString(16)}\r\n${PING.slice(16)}\r\n0\r\n\r\n`)
  t.match(chunked, /^HTTP\/1\.1 200 /, 'a chunked body in two chunks is answered')
  t.match(chunked, /"result":"ping"/)

  const overLimit = 'x'.repeat(2000)
  const tooLong = await rawExchange(url, `${head}transfer-encoding: chunked\r\n\r\n${(2000).toString(16)}\r\n${overLimit}\r\n${(2000).toString(16)}\r\n${overLimit}\r\n${(2000).toString(16)}\r\n${overLimit}\r\n0\r\n\r\n`)
  t.match(tooLong, /^HTTP\/1\.1 413 /, 'a chunked body passing the limit gets 413 (no Content-Length to refuse it by)')

  const declaredOver = await rawExchange(url, `${head}content-length: 5000\r\n\r\n${PING}`)
  t.match(declaredOver, /^HTTP\/1\.1 413 /, 'a declared length over the limit is refused unread')

  // Three bytes of "é€" split across two chunks: decoded once, whole.
  const text = '{"jsonrpc":"2.0","method":"echo","params":["é€"],"id":1}'
  const bytes = Buffer.from(text)
  const cut = bytes.indexOf(0xe2) + 1
  const split = await rawExchange(url, Buffer.concat([
    Buffer.from(`${head}transfer-encoding: chunked\r\n\r\n${cut.toString(16)}\r\n`), bytes.subarray(0, cut),
    Buffer.from(`\r\n${(bytes.length - cut).toString(16)}\r\n`), bytes.subarray(cut), Buffer.from('\r\n0\r\n\r\n')
  ]))
  t.match(split, /"result":"é€"/, 'a character split between chunks arrives whole')

  t.same((await post(PING)).json, PONG, 'the server still answers')
})

test('readBody: the rules of Fastify\'s reader on any stream a preParsing hook of the app hands on', async t => {
  const read = async (stream: PassThrough & { receivedEncodedLength?: number }, contentLength: string | undefined, limit: number): Promise<{ error: (Error & { statusCode?: number, code?: string }) | null, text?: string }> =>
    await new Promise(resolve => {
      readBody(stream, contentLength, limit, (error, chunks = [], length = 0) => {
        resolve(error === null ? { error, text: Buffer.concat(chunks, length).toString() } : { error })
      })
    })

  const strings = new PassThrough({ encoding: 'utf8' })
  const fromStrings = read(strings, undefined, 100)
  strings.end('{"a":1}')
  t.same(await fromStrings, { error: null, text: '{"a":1}' }, 'a stream of strings is read as bytes')

  const shorter = new PassThrough()
  const short = read(shorter, '20', 100)
  shorter.end('{"a":1}')
  t.equal((await short).error?.code, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'fewer bytes than declared')

  const decoded = Object.assign(new PassThrough(), { receivedEncodedLength: 0 })
  const inflatedRead = read(decoded, '3', 100)
  decoded.receivedEncodedLength = 3
  decoded.end('{"a":1}')
  t.same(await inflatedRead, { error: null, text: '{"a":1}' }, 'Content-Length is checked against the bytes the hook received')

  const bomb = Object.assign(new PassThrough(), { receivedEncodedLength: 200 })
  const bombRead = read(bomb, undefined, 100)
  bomb.write('{}')
  t.equal((await bombRead).error?.code, 'FST_ERR_CTP_BODY_TOO_LARGE', 'the encoded bytes count against the limit too')

  const broken = new PassThrough()
  const brokenRead = read(broken, undefined, 100)
  broken.destroy(new Error('aborted'))
  const failure = await brokenRead
  t.equal(failure.error?.message, 'aborted')
  t.equal(failure.error?.statusCode, 400, 'a stream error is the client\'s: 400')
})
