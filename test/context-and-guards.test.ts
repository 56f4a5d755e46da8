import Fastify from 'fastify'
import { test } from 'tap'
import { rpcContext, rpcMethod, rpcPlugin, RpcError, UNAUTHORIZED, type RpcContext, type RpcGuard } from '../index'
import { appWith, post } from './fixtures/app'

const isAdmin: RpcGuard = context => context.request.headers['x-role'] === 'admin'

class ContextService {
  @rpcMethod()
  whoami (greeting: string, @rpcContext() context: RpcContext, punctuation = '!'): object {
    return {
      text: `${greeting}, ${String(context.request.headers['x-user'])}${punctuation}`,
      method: context.method,
      id: context.id ?? 'notification',
      transport: context.transport,
      hasLog: typeof context.log.error === 'function',
      connection: context.connection === undefined ? 'none' : 'some'
    }
  }

  @rpcMethod()
  first (@rpcContext() context: RpcContext, ...rest: number[]): object {
    return { method: context.method, rest }
  }

  readonly seen: string[] = []

  @rpcMethod()
  record (value: string, @rpcContext() context: RpcContext): void {
    this.seen.push(`${value} from ${String(context.request.headers['x-user'])}`)
  }

  @rpcMethod({ guard: isAdmin })
  adminOnly (): string {
    return 'secret'
  }

  @rpcMethod({ guard: [() => true, () => { throw new RpcError(-32002, 'Forbidden', { needs: 'owner' }) }] })
  ownerOnly (): string {
    return 'owned'
  }

  @rpcMethod({ guard: async context => { await new Promise(resolve => setImmediate(resolve)); return context.request.headers['x-user'] === 'ann' } })
  annOnly (x: number): number {
    return x
  }

  @rpcMethod({ guard: () => { throw new Error('guard bug') } })
  brokenGuard (): string {
    return 'never'
  }

  @rpcMethod({ timeout: 20 })
  async cancellable (@rpcContext() context: RpcContext): Promise<string> {
    await new Promise<void>(resolve => context.signal?.addEventListener('abort', () => resolve()))
    this.seen.push(`aborted: ${String(context.signal?.aborted)}`)
    return 'stopped'
  }
}

const headers = { 'x-user': 'ann' }

test('@rpcContext() receives the call context and is not an RPC param, by position or by name', async t => {
  const app = await appWith(t, { services: [new ContextService()] })
  const byPosition = await post(app, { jsonrpc: '2.0', method: 'whoami', params: ['Hello', '?'], id: 1 }, headers)
  t.same(byPosition.json().result, { text: 'Hello, ann?', method: 'whoami', id: 1, transport: 'http', hasLog: true, connection: 'none' })
  const byName = await post(app, { jsonrpc: '2.0', method: 'whoami', params: { greeting: 'Hi' }, id: 'n' }, headers)
  t.same(byName.json().result.text, 'Hi, ann!')
  t.equal(byName.json().result.id, 'n')
  const defaultUsed = await post(app, { jsonrpc: '2.0', method: 'whoami', params: ['Hey'], id: 2 }, headers)
  t.equal(defaultUsed.json().result.text, 'Hey, ann!', 'a later default still applies')
  const tooMany = await post(app, { jsonrpc: '2.0', method: 'whoami', params: ['a', 'b', 'c'], id: 3 }, headers)
  t.same(tooMany.json().error.data, [{ path: '', message: 'whoami takes 1 to 2 params, got 3' }], 'the context is not counted')
  const byContextName = await post(app, { jsonrpc: '2.0', method: 'whoami', params: { greeting: 'Hi', context: {} }, id: 4 }, headers)
  t.same(byContextName.json().error.data, [{ path: '/context', message: 'unknown parameter "context"' }], 'nor can it be sent by name')
})

test('a context parameter before a rest parameter', async t => {
  const app = await appWith(t, { services: [new ContextService()] })
  t.same((await post(app, { jsonrpc: '2.0', method: 'first', params: [1, 2, 3], id: 1 })).json().result, { method: 'first', rest: [1, 2, 3] })
  t.same((await post(app, { jsonrpc: '2.0', method: 'first', params: { rest: [4] }, id: 1 })).json().result, { method: 'first', rest: [4] })
})

test('notifications get a context too, with no id', async t => {
  const service = new ContextService()
  const app = await appWith(t, { services: [service] })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'record', params: ['x'] }, headers)).statusCode, 204)
  t.same(service.seen, ['x from ann'])
})

test('a guard refuses with -32001 Unauthorized, per call inside a batch', async t => {
  const app = await appWith(t, { services: [new ContextService()] })
  const denied = await post(app, { jsonrpc: '2.0', method: 'adminOnly', id: 1 })
  t.same(denied.json(), { jsonrpc: '2.0', error: { code: UNAUTHORIZED, message: 'Unauthorized' }, id: 1 })
  t.equal(denied.statusCode, 403)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'adminOnly', id: 1 }, { 'x-role': 'admin' })).json().result, 'secret')

  const batch = await post(app, [
    { jsonrpc: '2.0', method: 'adminOnly', id: 1 },
    { jsonrpc: '2.0', method: 'annOnly', params: [5], id: 2 },
    { jsonrpc: '2.0', method: 'ownerOnly', id: 3 },
    { jsonrpc: '2.0', method: 'whoami', params: ['Yo'], id: 4 }
  ], headers)
  t.equal(batch.statusCode, 200)
  t.match(batch.json(), [
    { error: { code: UNAUTHORIZED }, id: 1 },
    { result: 5, id: 2 },
    { error: { code: -32002, message: 'Forbidden', data: { needs: 'owner' } }, id: 3 },
    { result: { text: 'Yo, ann!' }, id: 4 }
  ])
})

test('guards run before params are checked', async t => {
  const app = await appWith(t, { services: [new ContextService()] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'annOnly', params: ['wrong', 'count'], id: 1 }, { 'x-user': 'bob' })
  t.equal(reply.json().error.code, UNAUTHORIZED, 'an unauthorised caller learns nothing about the signature')
})

test('a guard that throws something other than RpcError is an internal error', async t => {
  const app = await appWith(t, { services: [new ContextService()] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'brokenGuard', id: 1 })
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 1 })
})

test('a plugin-wide guard runs before every method', async t => {
  const calls: string[] = []
  const app = await appWith(t, {
    services: [new ContextService()],
    guard: context => { calls.push(context.method); return context.request.headers.authorization === 'Bearer token' }
  })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'first', params: [], id: 1 })).json().error.code, UNAUTHORIZED)
  t.same((await post(app, { jsonrpc: '2.0', method: 'first', params: [], id: 1 }, { authorization: 'Bearer token' })).json().result, { method: 'first', rest: [] })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'adminOnly', id: 1 }, { authorization: 'Bearer token' })).json().error.code, UNAUTHORIZED, 'then the method guard')
  t.same(calls, ['first', 'first', 'adminOnly'])
})

test("an onRequest bearer-token hook on the plugin's scope keeps working", async t => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  await app.register(async function securedApi (api) {
    api.addHook('onRequest', async (request, reply) => {
      if (request.headers.authorization !== 'Bearer s3cret') {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ jsonrpc: '2.0', error: { code: UNAUTHORIZED, message: 'Unauthorized' }, id: null })
      }
    })
    await api.register(rpcPlugin, { services: [new ContextService()] })
  })
  const denied = await post(app, { jsonrpc: '2.0', method: 'first', params: [], id: 1 })
  t.equal(denied.statusCode, 401)
  t.equal(denied.json().error.code, UNAUTHORIZED)
  const allowed = await post(app, { jsonrpc: '2.0', method: 'first', params: [], id: 1 }, { authorization: 'Bearer s3cret' })
  t.same(allowed.json().result, { method: 'first', rest: [] })
})

test("the context's signal is aborted when the call times out", async t => {
  const service = new ContextService()
  const app = await appWith(t, { services: [service] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'cancellable', id: 1 })
  t.equal(reply.json().error.code, -32000)
  await new Promise(resolve => setImmediate(resolve))
  t.same(service.seen, ['aborted: true'], 'the method saw the abort and stopped')
})

test('decorator mistakes with the context are registration errors', async t => {
  t.throws(() => {
    class Twice { @rpcMethod() m (@rpcContext() a: RpcContext, @rpcContext() b: RpcContext): void { void a; void b } }
    return Twice
  }, { code: 'FST_JSONRPC_INVALID_DECORATOR', message: /two parameters of m/ })
  class BadGuard { @rpcMethod({ guard: 'admin' as unknown as RpcGuard }) m (): void {} }
  const app = Fastify()
  t.teardown(async () => await app.close())
  await t.rejects(async () => { await app.register(rpcPlugin, { services: [new BadGuard()] }); await app.ready() },
    { code: 'FST_JSONRPC_INVALID_DECORATOR', message: /`guard` option takes a function/ })
})
