import Fastify from 'fastify'
import { test } from 'tap'
import { rpcPlugin, rpcMethod, RpcError } from '../index'
import { GreetingService } from '../services'
import { appWith, post } from './fixtures/app'

class StatusService {
  @rpcMethod() ok (): string { return 'ok' }
  @rpcMethod() appError (): never { throw new RpcError(1000, 'Application error') }
  @rpcMethod() crash (): never { throw new Error('boom') }
  @rpcMethod() one (x: number): number { return x }
}

const ping = JSON.stringify({ jsonrpc: '2.0', method: 'ping', id: 1 })

test('the JSON-RPC content types are accepted, with any charset and case', async t => {
  const app = await appWith(t, { services: [new GreetingService()] })
  for (const contentType of [
    'application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8',
    'Application/JSON', 'application/json-rpc', 'application/jsonrequest', 'application/json-rpc; charset=utf-8'
  ]) {
    const reply = await post(app, ping, { 'content-type': contentType })
    t.equal(reply.statusCode, 200, contentType)
    t.same(reply.json(), { jsonrpc: '2.0', result: 'ping', id: 1 }, contentType)
  }
})

test('other content types get 415 with a JSON body', async t => {
  const app = await appWith(t, { services: [new GreetingService()] })
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
    const reply = await post(app, ping, { 'content-type': contentType })
    t.equal(reply.statusCode, 415, contentType)
    t.equal(reply.headers['content-type'], 'application/json; charset=utf-8')
    t.match(reply.json(), { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request', data: /unsupported content type/ }, id: null })
  }
})

test('a charset other than UTF-8 gets 415 rather than a misread body', async t => {
  const app = await appWith(t, { services: [new GreetingService()] })
  for (const contentType of ['application/json; charset=latin1', 'application/json; charset="ISO-8859-1"', 'application/json-rpc; charset=utf-16']) {
    const reply = await post(app, ping, { 'content-type': contentType })
    t.equal(reply.statusCode, 415, contentType)
    t.match(reply.json(), { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request', data: /unsupported charset ".+"; JSON-RPC bodies are UTF-8/ }, id: null }, contentType)
  }
  for (const contentType of ['application/json; charset=UTF-8', 'application/json; charset="utf-8"', 'application/json;charset=utf8']) {
    t.equal((await post(app, ping, { 'content-type': contentType })).json().result, 'ping', contentType)
  }
})

test('a body over the limit gets 413 with a JSON body, and the server keeps serving', async t => {
  const app = await appWith(t, { services: [new GreetingService()], bodyLimit: 100 })
  const big = JSON.stringify({ jsonrpc: '2.0', method: 'hello', params: ['x'.repeat(200)], id: 1 })
  const reply = await post(app, big)
  t.equal(reply.statusCode, 413)
  t.match(reply.json(), { jsonrpc: '2.0', error: { code: -32600, data: /larger than this endpoint accepts/ }, id: null })
  t.equal((await post(app, ping)).statusCode, 200)
})

test("the Fastify instance's bodyLimit applies by default", async t => {
  const app = await appWith(t, { services: [new GreetingService()] }, { bodyLimit: 64 })
  const reply = await post(app, JSON.stringify({ jsonrpc: '2.0', method: 'hello', params: ['x'.repeat(100)], id: 1 }))
  t.equal(reply.statusCode, 413)
})

test('other HTTP methods get 405 with Allow: POST and a JSON body', async t => {
  const app = await appWith(t, { services: [new GreetingService()] })
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const) {
    const reply = await app.inject({ method, url: '/rpc' })
    t.equal(reply.statusCode, 405, method)
    t.equal(reply.headers.allow, 'POST', method)
    if (method !== 'HEAD') t.match(reply.json(), { jsonrpc: '2.0', error: { code: -32600 }, id: null }, method)
  }
})

test('json-rpc-over-http: the status follows the error code', async t => {
  const app = await appWith(t, { services: [new StatusService()] })
  const cases: Array<[string, number]> = [
    [JSON.stringify({ jsonrpc: '2.0', method: 'ok', id: 1 }), 200],
    [JSON.stringify({ jsonrpc: '2.0', method: 'ok' }), 204],
    ['{', 400],
    [JSON.stringify({ jsonrpc: '2.0', method: 5, id: 1 }), 400],
    [JSON.stringify({ jsonrpc: '2.0', method: 'one', params: [], id: 1 }), 400],
    [JSON.stringify({ jsonrpc: '2.0', method: 'missing', id: 1 }), 404],
    [JSON.stringify({ jsonrpc: '2.0', method: 'crash', id: 1 }), 500],
    [JSON.stringify({ jsonrpc: '2.0', method: 'appError', id: 1 }), 500],
    [JSON.stringify([{ jsonrpc: '2.0', method: 'missing', id: 1 }, { jsonrpc: '2.0', method: 'crash', id: 2 }]), 200],
    ['[]', 400]
  ]
  for (const [body, status] of cases) {
    t.equal((await post(app, body)).statusCode, status, body)
  }
})

test('always-200: every answer is 200, or 204 when nothing is owed', async t => {
  const app = await appWith(t, { services: [new StatusService()], httpStatus: 'always-200' })
  const cases: Array<[string, number, number | undefined]> = [
    [JSON.stringify({ jsonrpc: '2.0', method: 'ok', id: 1 }), 200, undefined],
    [JSON.stringify({ jsonrpc: '2.0', method: 'ok' }), 204, undefined],
    ['{', 200, -32700],
    [JSON.stringify({ jsonrpc: '2.0', method: 5, id: 1 }), 200, -32600],
    [JSON.stringify({ jsonrpc: '2.0', method: 'one', params: [], id: 1 }), 200, -32602],
    [JSON.stringify({ jsonrpc: '2.0', method: 'missing', id: 1 }), 200, -32601],
    [JSON.stringify({ jsonrpc: '2.0', method: 'crash', id: 1 }), 200, -32603],
    [JSON.stringify({ jsonrpc: '2.0', method: 'appError', id: 1 }), 200, 1000]
  ]
  for (const [body, status, code] of cases) {
    const reply = await post(app, body)
    t.equal(reply.statusCode, status, body)
    if (code !== undefined) t.equal(reply.json().error.code, code, `${body}: code`)
  }
})

test('`path` moves the endpoint', async t => {
  const app = await appWith(t, { services: [new GreetingService()], path: '/api/v1/jsonrpc' })
  const reply = await app.inject({ method: 'POST', url: '/api/v1/jsonrpc', headers: { 'content-type': 'application/json' }, payload: ping })
  t.equal(reply.json().result, 'ping')
  t.equal((await post(app, ping)).statusCode, 404, 'nothing on the default path')
})

test("the plugin's parsers and error handler stay out of the user's app", async t => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  app.post('/echo', async request => ({ received: request.body }))
  app.get('/boom', async () => { throw Object.assign(new Error('teapot'), { statusCode: 418 }) })
  const echo = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } })
  t.same(echo.json(), { received: { a: 1 } }, 'Fastify parses JSON for other routes as before')
  const boom = await app.inject({ method: 'GET', url: '/boom' })
  t.equal(boom.statusCode, 418)
  t.equal(boom.json().message, 'teapot', "Fastify's own error format outside the endpoint")
})

test("an error from the user's hook on the endpoint reaches the app's error handler", async t => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  app.addHook('onRequest', async request => {
    if (request.headers.authorization !== 'Bearer good') throw Object.assign(new Error('no token'), { statusCode: 401 })
  })
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  const denied = await post(app, ping)
  t.equal(denied.statusCode, 401)
  t.equal(denied.json().message, 'no token')
  const allowed = await post(app, ping, { authorization: 'Bearer good' })
  t.equal(allowed.json().result, 'ping')
})
