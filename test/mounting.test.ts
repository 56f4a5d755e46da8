import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions, type LightMyRequestResponse } from 'fastify'
import fastifyWebsocket from '@fastify/websocket'
import { test } from 'tap'
import { WebSocket } from 'ws'
import { rpcMethod, rpcPlugin, type RpcGuard, type RpcPluginOptions } from '../index'
import { mountedPath } from '../plugin/mount-path'
import { GreetingService } from '../services'
import { captureLogs } from './fixtures/app'

/** Mounting the plugin like any Fastify plugin: `prefix`, `logLevel`, prefixed scopes, several instances. */

async function postTo (app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) })
}

const SUM = { jsonrpc: '2.0', method: 'Sum', params: [2, 3], id: 1 }

function freshApp (t: { teardown: (fn: () => unknown) => void }, serverOptions: FastifyServerOptions = {}): FastifyInstance {
  const app = Fastify(serverOptions)
  t.teardown(async () => await app.close())
  return app
}

/** Answers one call over a real WebSocket at `url`. */
async function callOverWebSocket (url: string, message: unknown): Promise<unknown> {
  const socket = new WebSocket(url)
  // A refused upgrade also emits its error after the handshake promise has settled.
  socket.on('error', () => {})
  try {
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
    const answer = new Promise<unknown>((resolve, reject) => {
      socket.once('message', data => resolve(JSON.parse(data.toString())))
      socket.once('close', () => reject(new Error('closed before answering')))
    })
    socket.send(JSON.stringify(message))
    return await answer
  } finally {
    socket.terminate()
  }
}

async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

test('regression: the `prefix` option was ignored; the endpoint is served under it', async t => {
  const app = freshApp(t)
  await app.register(rpcPlugin, { prefix: '/api', services: [new GreetingService()] })
  const prefixed = await postTo(app, '/api/rpc', SUM)
  t.equal(prefixed.statusCode, 200)
  t.same(prefixed.json(), { jsonrpc: '2.0', result: 5, id: 1 })
  const unprefixed = await postTo(app, '/rpc', SUM)
  t.equal(unprefixed.statusCode, 404, 'nothing is served at the bare path')
  t.notOk(unprefixed.body.includes('"jsonrpc"'), 'the 404 is the app\'s, not a JSON-RPC answer')
})

test('every route of the plugin moves with the prefix: GET and other methods get 405 there', async t => {
  const app = freshApp(t)
  await app.register(rpcPlugin, { prefix: '/api', path: '/calls', services: [new GreetingService()] })
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const reply = await app.inject({ method, url: '/api/calls' })
    t.equal(reply.statusCode, 405, `${method} /api/calls`)
    t.equal(reply.headers.allow, 'POST')
    t.equal(reply.json().error.code, -32600)
    t.equal((await app.inject({ method, url: '/calls' })).statusCode, 404, `${method} /calls is not the plugin's`)
  }
})

test('the WebSocket endpoint is served under the prefix too', async t => {
  const app = freshApp(t)
  await app.register(rpcPlugin, { prefix: '/api', services: [new GreetingService()], websocket: true })
  const base = await listen(app)
  t.same(await callOverWebSocket(`${base}/api/rpc`, SUM), { jsonrpc: '2.0', result: 5, id: 1 })
})

test('registered inside a prefixed scope of the app, the endpoint is under that scope\'s prefix', async t => {
  const app = freshApp(t)
  await app.register(async scope => { await scope.register(rpcPlugin, { services: [new GreetingService()] }) }, { prefix: '/v1' })
  t.same((await postTo(app, '/v1/rpc', SUM)).json(), { jsonrpc: '2.0', result: 5, id: 1 })
  t.equal((await postTo(app, '/rpc', SUM)).statusCode, 404)
})

test('the scope\'s prefix and the plugin\'s own prefix add up', async t => {
  const app = freshApp(t)
  await app.register(async scope => { await scope.register(rpcPlugin, { prefix: '/api', services: [new GreetingService()] }) }, { prefix: '/v1' })
  t.same((await postTo(app, '/v1/api/rpc', SUM)).json(), { jsonrpc: '2.0', result: 5, id: 1 })
  t.equal((await postTo(app, '/api/rpc', SUM)).statusCode, 404)
  t.equal((await postTo(app, '/v1/rpc', SUM)).statusCode, 404)
})

test('a prefix with a trailing slash or without a leading one is joined as Fastify joins any prefix', async t => {
  for (const prefix of ['/api/', 'api']) {
    const app = freshApp(t)
    await app.register(rpcPlugin, { prefix, services: [new GreetingService()] })
    t.same((await postTo(app, '/api/rpc', SUM)).json(), { jsonrpc: '2.0', result: 5, id: 1 }, JSON.stringify(prefix))
  }
})

test('a prefix that is not a string is a configuration error', async t => {
  const app = freshApp(t)
  const options = { prefix: 42, services: [new GreetingService()] } as unknown as RpcPluginOptions
  await t.rejects(async () => { await app.register(rpcPlugin, options) }, { code: 'FST_JSONRPC_INVALID_OPTION', message: /`prefix` must be a string, got 42/ })
})

test('mountedPath gives the URL Fastify actually serves a route of the scope at', async t => {
  const cases: Array<{ outer: string | undefined, inner: string | undefined, path: string, expected: string }> = [
    { outer: undefined, inner: undefined, path: '/rpc', expected: '/rpc' },
    { outer: undefined, inner: '/api', path: '/rpc', expected: '/api/rpc' },
    { outer: '/v1', inner: '/api', path: '/rpc', expected: '/v1/api/rpc' },
    { outer: '/v1/', inner: undefined, path: '/rpc/explorer', expected: '/v1/rpc/explorer' },
    { outer: undefined, inner: '/api', path: '/', expected: '/api' }
  ]
  for (const { outer, inner, path, expected } of cases) {
    const app = freshApp(t)
    let computed = ''
    await app.register(async outerScope => {
      await outerScope.register(async scope => {
        computed = mountedPath(scope, path)
        scope.get(path, async () => 'here')
      }, { prefix: inner })
    }, { prefix: outer })
    t.equal(computed, expected, `${String(outer)} + ${String(inner)} + ${path}`)
    const reply = await app.inject({ method: 'GET', url: computed })
    t.equal(reply.statusCode, 200, `Fastify serves ${computed}`)
    t.equal(reply.body, 'here')
  }
})

test('regression: the `logLevel` option was ignored; the plugin\'s routes log at that level', async t => {
  const quiet = captureLogs()
  const app = freshApp(t, { logger: { level: 'info', stream: quiet.stream } })
  app.get('/health', async () => 'ok')
  await app.register(rpcPlugin, { logLevel: 'warn', services: [new GreetingService()] })
  t.equal((await postTo(app, '/rpc', SUM)).statusCode, 200)
  t.same(quiet.lines.filter(line => (line.req as { url?: string } | undefined)?.url === '/rpc'), [], 'no request line for /rpc at warn')
  await app.inject({ method: 'GET', url: '/health' })
  t.ok(quiet.lines.some(line => (line.req as { url?: string } | undefined)?.url === '/health'), 'the app\'s own routes still log at info')

  const verbose = captureLogs()
  const debugApp = freshApp(t, { logger: { level: 'info', stream: verbose.stream } })
  await debugApp.register(rpcPlugin, { logLevel: 'debug', services: [new GreetingService()] })
  await postTo(debugApp, '/rpc', SUM)
  t.match(verbose.lines.filter(line => line.msg === 'rpc call succeeded'), [{ level: 20, rpcMethod: 'Sum', rpcId: 1 }],
    'per-call debug entries appear although the app logs at info')
})

class PublicService {
  @rpcMethod() hello (name: string): string { return `Hello, ${name}` }
}

class AdminService {
  @rpcMethod() shutdownReport (): string { return 'all quiet' }
}

test('two instances on different paths serve only their own services, each behind its own guards', async t => {
  const guardCalls = { public: 0, admin: 0 }
  const publicGuard: RpcGuard = () => { guardCalls.public++; return true }
  const adminGuard: RpcGuard = context => { guardCalls.admin++; return context.request.headers['x-role'] === 'admin' }
  const app = freshApp(t)
  // Both registrations carry the same fastify-plugin name; Fastify accepts them side by side.
  await app.register(rpcPlugin, { services: [new PublicService()], guard: publicGuard })
  await app.register(rpcPlugin, { prefix: '/admin', services: [new AdminService()], guard: adminGuard })
  await app.ready()

  const hello = { jsonrpc: '2.0', method: 'hello', params: ['ann'], id: 1 }
  const report = { jsonrpc: '2.0', method: 'shutdownReport', id: 2 }
  const asAdmin = { 'x-role': 'admin' }

  t.same((await postTo(app, '/rpc', hello)).json(), { jsonrpc: '2.0', result: 'Hello, ann', id: 1 }, 'public method, no header needed')
  t.same((await postTo(app, '/admin/rpc', report, asAdmin)).json(), { jsonrpc: '2.0', result: 'all quiet', id: 2 })
  t.same(guardCalls, { public: 1, admin: 1 }, 'each call passed only its own instance\'s guard')

  const adminFromPublic = await postTo(app, '/rpc', report, asAdmin)
  t.equal(adminFromPublic.statusCode, 404)
  t.same(adminFromPublic.json().error, { code: -32601, message: 'Method not found' }, 'the admin method is not reachable on the public path')
  const publicFromAdmin = await postTo(app, '/admin/rpc', hello, asAdmin)
  t.same(publicFromAdmin.json().error, { code: -32601, message: 'Method not found' }, 'the public method is not reachable on the admin path')

  const refused = await postTo(app, '/admin/rpc', report)
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().error.code, -32001, 'the admin guard refuses without the role')

  const discover = { jsonrpc: '2.0', method: 'rpc.discover', id: 3 }
  const publicDoc = (await postTo(app, '/rpc', discover)).json().result
  const adminDoc = (await postTo(app, '/admin/rpc', discover, asAdmin)).json().result
  t.same(publicDoc.methods.map((method: { name: string }) => method.name), ['hello', 'rpc.discover'], 'rpc.discover lists only the public instance\'s methods')
  t.same(adminDoc.methods.map((method: { name: string }) => method.name), ['shutdownReport', 'rpc.discover'], 'and only the admin instance\'s')
})

test('two instances on the same path are refused by Fastify as a duplicate route, not by the plugin name', async t => {
  const app = freshApp(t)
  await t.rejects(async () => {
    await app.register(rpcPlugin, { services: [new PublicService()] })
    await app.register(rpcPlugin, { services: [new AdminService()] })
  }, { code: 'FST_ERR_DUPLICATED_ROUTE', message: /'POST' already declared for route '\/rpc'/ })
})

test('two instances with WebSocket share the @fastify/websocket the app registered once, without warnings', async t => {
  const logs = captureLogs()
  const app = freshApp(t, { logger: { level: 'warn', stream: logs.stream } })
  // maxPayload at the bodyLimit, as docs/websocket.md advises (a larger one is warned about).
  await app.register(fastifyWebsocket, { options: { maxPayload: 1048576 } })
  await app.register(rpcPlugin, { prefix: '/public', services: [new PublicService()], websocket: true })
  await app.register(rpcPlugin, { prefix: '/admin', services: [new AdminService()], websocket: true })
  const base = await listen(app)
  t.same(await callOverWebSocket(`${base}/public/rpc`, { jsonrpc: '2.0', method: 'hello', params: ['bo'], id: 1 }), { jsonrpc: '2.0', result: 'Hello, bo', id: 1 })
  t.same(await callOverWebSocket(`${base}/admin/rpc`, { jsonrpc: '2.0', method: 'hello', params: ['bo'], id: 2 }),
    { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 2 })
  await t.rejects(callOverWebSocket(`${base}/rpc`, SUM), /Unexpected server response: 404/, 'no upgrade at the bare path')
  t.same(logs.lines.filter(line => (line.level as number) >= 40), [], 'nothing logged at warn or above')
})

test('a second instance bringing its own @fastify/websocket is warned about once, at registration', async t => {
  const logs = captureLogs()
  const app = freshApp(t, { logger: { level: 'warn', stream: logs.stream } })
  await app.register(rpcPlugin, { prefix: '/public', services: [new PublicService()], websocket: true })
  await app.register(rpcPlugin, { prefix: '/admin', services: [new AdminService()], websocket: true })
  await app.ready()
  const warnings = logs.lines.filter(line => line.level === 40)
  t.equal(warnings.length, 1)
  t.match(warnings[0]?.msg, /register @fastify\/websocket once in the app/)

  const other = captureLogs()
  const single = freshApp(t, { logger: { level: 'warn', stream: other.stream } })
  await single.register(rpcPlugin, { services: [new PublicService()], websocket: true })
  await single.ready()
  t.same(other.lines, [], 'one instance in another app is not warned about')
})
