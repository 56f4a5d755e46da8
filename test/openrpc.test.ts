import Ajv from 'ajv'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import openrpcMetaSchema from '@open-rpc/meta-schema'
import jsonSchemaMetaSchema from '@json-schema-tools/meta-schema'
import { rpcContext, rpcMethod, rpcPlugin, RpcError, type RpcContext, type OpenRpcDocument } from '../index'
import { buildOpenRpcDocument, buildRegistry } from '../engine'
import { GreetingService } from '../services'
import { appWith, post } from './fixtures/app'

/**
 * The OpenRPC meta-schema (@open-rpc/meta-schema) describes the schemas in a
 * document by $ref to the JSON Schema meta-schema of @json-schema-tools/meta-schema.
 * Both declare that one as their dialect, which ajv does not know by name, so
 * the dialect is left out.
 */
function openrpcValidator (): ReturnType<Ajv['compile']> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  const { $schema: _jsonSchemaDialect, ...jsonSchemaMeta } = jsonSchemaMetaSchema as unknown as Record<string, unknown>
  // The OpenRPC meta-schema refers to it both with and without the trailing slash of its $id.
  ajv.addSchema({ ...jsonSchemaMeta, $id: 'https://meta.json-schema.tools/' })
  ajv.addSchema({ ...jsonSchemaMeta, $id: 'https://meta.json-schema.tools' })
  const { $schema: _openrpcDialect, ...metaSchema } = openrpcMetaSchema as unknown as Record<string, unknown>
  return ajv.compile(metaSchema)
}

class CatalogService {
  @rpcMethod({
    summary: 'Finds products',
    description: 'Searches the catalog by **name**.',
    params: { query: { type: 'string', minLength: 2 }, limit: { type: 'integer', minimum: 1, maximum: 100 } },
    result: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, price: { type: 'number' } }, required: ['sku'] } },
    errors: [{ code: 4040, message: 'Catalog offline' }]
  })
  search (query: string, limit = 10, @rpcContext() context?: RpcContext): Array<{ sku: string, price: number }> {
    void context
    return [{ sku: query.slice(0, limit), price: 1 }]
  }

  @rpcMethod({ deprecated: true, guard: () => true, timeout: 500 })
  async legacyTotal (...amounts: number[]): Promise<number> {
    return amounts.reduce((sum, amount) => sum + amount, 0)
  }

  @rpcMethod({ params: { point: { $ref: 'point#' } } })
  distance (point: { x: number, y: number }): number {
    return Math.hypot(point.x, point.y)
  }

  @rpcMethod()
  pair ({ a, b }: { a: number, b: number }): number {
    return a + b
  }

  notExposed (): string {
    return 'hidden'
  }
}

async function discover (t: Test, options: Partial<Parameters<typeof appWith>[1]> = {}): Promise<OpenRpcDocument> {
  const app = Fastify()
  t.teardown(async () => await app.close())
  app.addSchema({ $id: 'point', type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] })
  await app.register(rpcPlugin, { services: [new GreetingService(), new CatalogService()], ...options })
  const reply = await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 })
  t.equal(reply.statusCode, 200)
  return reply.json().result
}

test('rpc.discover answers an OpenRPC document that validates against the meta-schema', async t => {
  const document = await discover(t)
  const validate = openrpcValidator()
  t.ok(validate(document), JSON.stringify(validate.errors))
  const { params: _params, ...withoutParams } = document.methods[0]
  t.notOk(validate({ ...document, methods: [withoutParams] }), 'the validator does refuse a method without params')
  t.equal(document.openrpc, '1.3.2')
  t.same(document.info, { title: 'JSON-RPC API', version: '1.0.0' })
  t.same(document.methods.map(method => method.name), ['ping', 'hao', 'hello', 'Sum', 'search', 'legacyTotal', 'distance', 'pair', 'rpc.discover'],
    'every decorated method, and nothing undecorated')
})

test('the document describes params, results and errors from the signatures and decorator options', async t => {
  const { methods } = await discover(t)
  const byName = new Map(methods.map(method => [method.name, method]))
  t.same(byName.get('hello'), {
    name: 'hello',
    paramStructure: 'either',
    params: [{ name: 'name', schema: { type: 'string' }, required: true }],
    result: { name: 'hello.result', schema: { type: 'string' } },
    errors: [{ code: -32602, message: 'Invalid params' }]
  }, 'derived from design:paramtypes and design:returntype')
  t.same(byName.get('ping'), { name: 'ping', paramStructure: 'either', params: [], result: { name: 'ping.result', schema: { type: 'string' } } })

  const search = byName.get('search')
  t.equal(search?.summary, 'Finds products')
  t.equal(search?.description, 'Searches the catalog by **name**.')
  t.same(search?.params, [
    { name: 'query', schema: { type: 'string', minLength: 2 }, required: true },
    { name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 100 }, required: false }
  ], 'given schemas win; the @rpcContext() parameter is not listed')
  t.match(search?.result.schema, { type: 'array', items: { required: ['sku'] } })
  t.same(search?.errors, [{ code: -32602, message: 'Invalid params' }, { code: 4040, message: 'Catalog offline' }])

  const legacy = byName.get('legacyTotal')
  t.equal(legacy?.deprecated, true)
  t.same(legacy?.params, [{ name: 'amounts', schema: { type: 'array', items: { type: 'number' } }, required: false, description: 'Rest parameter: by position, every remaining param; by name, an array.', 'x-rest': true }])
  t.same(legacy?.errors?.map(error => error.code), [-32602, -32001, -32000], 'guarded and timed: Unauthorized and Call timed out')

  t.same(byName.get('distance')?.params, [{ name: 'point', schema: { $ref: 'point#' }, required: true }])
  t.equal(byName.get('pair')?.paramStructure, 'by-position', 'a destructured parameter has no name to send')
})

test('schemas added with fastify.addSchema are listed under components', async t => {
  const document = await discover(t)
  t.same(document.components?.schemas.point, { $id: 'point', type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] })
})

test('info is configurable and discovery can be turned off', async t => {
  const document = await discover(t, { openrpc: { info: { title: 'Catalog', version: '2.1.0', description: 'Products' } } })
  t.same(document.info, { title: 'Catalog', version: '2.1.0', description: 'Products' })

  const app = await appWith(t, { services: [new GreetingService()], openrpc: false })
  t.same((await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 })).json().error, { code: -32601, message: 'Method not found' })
})

test('a plugin-wide guard protects rpc.discover too', async t => {
  const app = await appWith(t, { services: [new GreetingService()], guard: context => context.request.headers.authorization === 'Bearer ok' })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 })).json().error.code, -32001)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 }, { authorization: 'Bearer ok' })).json().result.openrpc, '1.3.2')
})

test('a wrong openrpc option is a registration error', async t => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  await t.rejects(async () => {
    await app.register(rpcPlugin, { services: [new GreetingService()], openrpc: { info: { title: 5 as unknown as string } } })
    await app.ready()
  }, { code: 'FST_JSONRPC_INVALID_OPTION', message: /`openrpc.info.title` must be a string/ })
})

/**
 * Issue 10, finding 7: rpc.discover showed an anonymous caller every guarded
 * method with its parameters and schemas, and every schema added with
 * fastify.addSchema, even ones no method uses.
 */
const isAdmin = (context: RpcContext): boolean => context.request.headers['x-role'] === 'admin'

class AdminService {
  readonly asked: string[] = []

  @rpcMethod({ guard: isAdmin, params: { user: { $ref: 'user#' } } })
  createUser (user: { login: string }): string {
    return user.login
  }

  @rpcMethod({ guard: isAdmin })
  dropTable (name: string): boolean {
    return name !== ''
  }

  @rpcMethod({ guard: [isAdmin, () => false] })
  neverListed (): void {}

  @rpcMethod({ params: { point: { $ref: 'point#' } } })
  distance (point: { x: number, y: number }): number {
    return Math.hypot(point.x, point.y)
  }

  @rpcMethod({ guard: () => { throw new Error('guard bug') } })
  buggy (): void {}

  @rpcMethod({ guard: () => { throw new RpcError(-32099, 'Not for you') } })
  refusesWithError (): void {}
}

async function adminApp (t: Test, options: Partial<Parameters<typeof appWith>[1]> = {}): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(async () => await app.close())
  app.addSchema({ $id: 'address', type: 'object', properties: { city: { type: 'string' } } })
  app.addSchema({ $id: 'user', type: 'object', properties: { login: { type: 'string' }, home: { $ref: 'address#' } }, required: ['login'] })
  app.addSchema({ $id: 'point', type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } })
  app.addSchema({ $id: 'internal-audit-record', type: 'object', properties: { secret: { type: 'string' } } })
  await app.register(rpcPlugin, { services: [new AdminService()], ...options })
  return app
}

async function discoverAs (app: FastifyInstance, headers: Record<string, string> = {}): Promise<OpenRpcDocument> {
  const reply = await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 }, headers)
  return reply.json().result
}

test('rpc.discover shows an anonymous caller only the methods its guards allow, and only the shared schemas those use', async t => {
  const app = await adminApp(t)
  const anonymous = await discoverAs(app)
  t.same(anonymous.methods.map(method => method.name), ['distance', 'rpc.discover'])
  t.same(Object.keys(anonymous.components?.schemas ?? {}), ['point'], 'no user, address or internal-audit-record schema')
  t.ok(openrpcValidator()(anonymous), 'still a valid OpenRPC document')

  const admin = await discoverAs(app, { 'x-role': 'admin' })
  t.same(admin.methods.map(method => method.name), ['createUser', 'dropTable', 'distance', 'rpc.discover'],
    'a method a later guard refuses, one whose guard throws and one whose guard refuses with an RpcError stay hidden')
  t.same(Object.keys(admin.components?.schemas ?? {}), ['address', 'user', 'point'], 'user, and address reached through user')
  t.notOk(JSON.stringify(admin).includes('internal-audit-record'), 'a schema no method references is never shown')
  t.ok(openrpcValidator()(admin))
})

test('rpc.discover asks each distinct guard once, with the discovery call\'s own context', async t => {
  const seen: string[] = []
  const watched = (context: RpcContext): boolean => { seen.push(`${context.method} ${String(context.id)} ${context.transport}`); return true }
  class Watched {
    @rpcMethod({ guard: watched }) a (): void {}
    @rpcMethod({ guard: watched }) b (): void {}
    @rpcMethod({ guard: [watched, async () => true] }) c (): void {}
  }
  const app = await appWith(t, { services: [new Watched()] })
  const document = await discoverAs(app)
  t.same(document.methods.map(method => method.name), ['a', 'b', 'c', 'rpc.discover'], 'an async guard is awaited')
  t.same(seen, ['rpc.discover 1 http'], 'one guard, asked once, seeing the rpc.discover call')
})

test('a method guard that never settles during discovery is cut off by the plugin timeout', async t => {
  class Stuck {
    @rpcMethod({ guard: async () => await new Promise<boolean>(() => {}) }) hidden (): void {}
  }
  const app = await appWith(t, { services: [new Stuck()], timeout: 30 })
  const reply = await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 })
  t.same(reply.json().error, { code: -32000, message: 'Call timed out', data: { timeoutMs: 30 } })
})

test('discovery answers are encoded per allowed set and stay consistent across callers', async t => {
  const app = await adminApp(t)
  const first = await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 }, { 'x-role': 'admin' })
  const anonymous = await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 })
  const again = await post(app, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 }, { 'x-role': 'admin' })
  t.equal(again.body, first.body, 'the same caller gets the same text')
  t.not(anonymous.body, first.body)
})

test('a server without method guards lists every method, and still only the referenced shared schemas', async t => {
  const document = await discover(t)
  t.same(Object.keys(document.components?.schemas ?? {}), ['point'])
  const app = Fastify()
  t.teardown(async () => await app.close())
  app.addSchema({ $id: 'unused', type: 'string' })
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  t.equal((await discoverAs(app)).components, undefined, 'no components when no method references a shared schema')
})

test('shared schemas reached through a reference relative to another shared schema\'s $id are listed', async t => {
  class Orders {
    @rpcMethod({ params: { order: { $ref: 'http://example.com/schemas/order.json#' } } })
    place (order: { items: unknown[] }): number {
      return order.items.length
    }
  }
  const app = Fastify()
  t.teardown(async () => await app.close())
  app.addSchema({ $id: 'http://example.com/schemas/item.json', type: 'object', properties: { sku: { type: 'string' } } })
  app.addSchema({ $id: 'http://example.com/schemas/order.json', type: 'object', properties: { items: { type: 'array', items: { $ref: 'item.json#' } } } })
  app.addSchema({ $id: 'http://example.com/schemas/unused.json', type: 'string' })
  await app.register(rpcPlugin, { services: [new Orders()] })
  t.same((await post(app, { jsonrpc: '2.0', method: 'place', params: [{ items: [{ sku: 5 }] }], id: 1 })).json().error.data,
    [{ path: '/order/items/0/sku', message: 'must be string' }], 'ajv resolves the relative reference the same way')
  const document = await discoverAs(app)
  t.same(Object.keys(document.components?.schemas ?? {}), ['http___example.com_schemas_item.json', 'http___example.com_schemas_order.json'])
})

test('buildOpenRpcDocument gives the document an unguarded server answers', async t => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  const point = { $id: 'point', type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] } as const
  app.addSchema(point)
  app.addSchema({ $id: 'unused', type: 'string' })
  const services = [new GreetingService(), new CatalogService()]
  await app.register(rpcPlugin, { services })
  const served = await discoverAs(app)
  const built = buildOpenRpcDocument(buildRegistry(services, { sharedSchemas: [point] }), { title: 'JSON-RPC API', version: '1.0.0' }, [point, { $id: 'unused', type: 'string' }])
  t.same(built, served)
  t.same(Object.keys(built.components?.schemas ?? {}), ['point'])
})
