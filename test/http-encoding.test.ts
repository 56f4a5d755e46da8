import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { test } from 'tap'
import { rpcPlugin, type RpcPluginOptions } from '../index'
import { GreetingService } from '../services'
import { ClientTestService } from './helpers/client-server'

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
