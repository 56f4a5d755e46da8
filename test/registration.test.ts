import Fastify from 'fastify'
import { test } from 'tap'
import { rpcMethod, rpcPlugin, RpcConfigurationError, type RpcPluginOptions } from '../index'
import { GreetingService } from '../services'
import { appWith, post } from './fixtures/app'

async function registrationError (options: unknown): Promise<RpcConfigurationError> {
  const app = Fastify()
  try {
    await app.register(rpcPlugin, options as RpcPluginOptions)
    await app.ready()
  } catch (error) {
    return error as RpcConfigurationError
  } finally {
    await app.close()
  }
  throw new Error('registration succeeded')
}

test('two services exposing the same name: the error names both', async t => {
  class First { @rpcMethod() hello (): string { return 'first' } }
  class Second { @rpcMethod({ name: 'hello' }) greet (): string { return 'second' } }
  const error = await registrationError({ services: [new First(), new Second()] })
  t.equal(error.code, 'FST_JSONRPC_DUPLICATE_METHOD')
  t.match(error.message, /"hello" is exposed by both First\.hello and Second\.greet/)
})

test('a name starting with "rpc." is reserved', async t => {
  class Reserved { @rpcMethod({ name: 'rpc.discover' }) discover (): string { return '' } }
  const error = await registrationError({ services: [new Reserved()] })
  t.equal(error.code, 'FST_JSONRPC_RESERVED_NAME')
  t.match(error.message, /Reserved\.discover is exposed as "rpc\.discover"/)
})

test('a service with no decorated method is an error naming it', async t => {
  class Plain { hello (): string { return 'x' } }
  const error = await registrationError({ services: [new Plain()] })
  t.equal(error.code, 'FST_JSONRPC_NO_METHODS')
  t.match(error.message, /Plain has no @rpcMethod\(\) methods/)
})

test('a class passed instead of an instance is named, with the fix', async t => {
  const error = await registrationError({ services: [GreetingService] })
  t.equal(error.code, 'FST_JSONRPC_INVALID_OPTION')
  t.match(error.message, /did you mean `new GreetingService\(\)`/)
})

test('reflect-metadata missing at registration is a clear error', async t => {
  const original = Reflect.getOwnMetadata
  t.teardown(() => { Reflect.getOwnMetadata = original })
  Reflect.getOwnMetadata = undefined as unknown as typeof Reflect.getOwnMetadata
  const error = await registrationError({ services: [new GreetingService()] })
  t.equal(error.code, 'FST_JSONRPC_NO_REFLECT_METADATA')
  t.match(error.message, /import 'reflect-metadata'/)
})

test('options are validated with clear errors', async t => {
  const service = new GreetingService()
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /`services` must be a non-empty array/],
    ['empty services', { services: [] }, /`services` must be a non-empty array/],
    ['services not an array', { services: service }, /`services` must be a non-empty array/],
    ['a null service', { services: [null] }, /services takes class instances, but got null/],
    ['a path without a slash', { services: [service], path: 'rpc' }, /`path` must be a string starting with "\/"/],
    ['an unknown status mode', { services: [service], httpStatus: 'always-500' }, /`httpStatus` must be "json-rpc-over-http" or "always-200"/],
    ['maxBatchSize zero', { services: [service], maxBatchSize: 0 }, /`maxBatchSize` must be a positive integer, got 0/],
    ['maxBatchSize fractional', { services: [service], maxBatchSize: 1.5 }, /`maxBatchSize` must be a positive integer/],
    ['batchConcurrency a string', { services: [service], batchConcurrency: '4' }, /`batchConcurrency` must be a positive integer, got "4"/],
    ['bodyLimit negative', { services: [service], bodyLimit: -1 }, /`bodyLimit` must be a positive integer/],
    ['timeout negative', { services: [service], timeout: -1 }, /`timeout` must be a finite number/],
    ['a misspelt option', { services: [service], maxBatch: 10 }, /unknown option `maxBatch`/]
  ]
  for (const [name, options, message] of cases) {
    const error = await registrationError(options)
    t.equal(error.code, 'FST_JSONRPC_INVALID_OPTION', `${name}: code`)
    t.match(error.message, message, `${name}: message`)
  }
})

test('decorator options are checked at registration', async t => {
  class BadOptional { @rpcMethod({ optional: ['nope'] }) greet (name: string): string { return name } }
  const optional = await registrationError({ services: [new BadOptional()] })
  t.equal(optional.code, 'FST_JSONRPC_INVALID_DECORATOR')
  t.match(optional.message, /BadOptional\.greet: `optional` names "nope", which is not a parameter \(parameters: name\)/)

  class BadTimeout { @rpcMethod({ timeout: -5 }) slow (): string { return '' } }
  const timeout = await registrationError({ services: [new BadTimeout()] })
  t.equal(timeout.code, 'FST_JSONRPC_INVALID_DECORATOR')

  class BadName { @rpcMethod({ name: '' }) unnamed (): string { return '' } }
  const name = await registrationError({ services: [new BadName()] })
  t.equal(name.code, 'FST_JSONRPC_INVALID_DECORATOR')
})

test('the decorator refuses symbol-named and static methods as it is applied', async t => {
  const key = Symbol('hidden')
  t.throws(() => {
    class WithSymbol { @rpcMethod() [key] (): string { return '' } }
    return WithSymbol
  }, { code: 'FST_JSONRPC_INVALID_DECORATOR', message: /symbol-named method Symbol\(hidden\)/ })
  t.throws(() => {
    class WithStatic { @rpcMethod() static make (): string { return '' } }
    return WithStatic
  }, { code: 'FST_JSONRPC_INVALID_DECORATOR', message: /static method WithStatic\.make/ })
})

test('`name` renames a method; only decorated methods are callable', async t => {
  class Renamed {
    @rpcMethod({ name: 'math.add' }) add (a: number, b: number): number { return a + b }
    helper (): string { return 'not exposed' }
  }
  const app = await appWith(t, { services: [new Renamed()] })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'math.add', params: [1, 2], id: 1 })).json().result, 3)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'add', params: [1, 2], id: 1 })).json().error.code, -32601)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'helper', id: 1 })).json().error.code, -32601)
})

test('decorated methods of a base class are served, and a subclass override wins', async t => {
  class Base {
    @rpcMethod() who (): string { return 'base' }
    @rpcMethod() shared (): string { return 'shared' }
    @rpcMethod() overridden (x: number): number { return x }
  }
  class Derived extends Base {
    @rpcMethod() extra (): string { return 'extra' }
    override who (): string { return 'derived, undecorated override' }
    @rpcMethod({ name: 'renamedOverride' }) override overridden (x: number, y = 10): number { return x + y }
  }
  const app = await appWith(t, { services: [new Derived()] })
  const result = async (method: string, params?: unknown[]): Promise<unknown> =>
    (await post(app, { jsonrpc: '2.0', method, params, id: 1 })).json().result
  t.equal(await result('who'), 'derived, undecorated override')
  t.equal(await result('shared'), 'shared')
  t.equal(await result('extra'), 'extra')
  t.equal(await result('renamedOverride', [1]), 11, 'the override and its parameters are used')
  t.equal((await post(app, { jsonrpc: '2.0', method: 'overridden', params: [1], id: 1 })).json().error.code, -32601,
    'the base name is replaced by the override\'s decorator')
})

test('two plugin instances can serve different services on different paths', async t => {
  class Other { @rpcMethod() ping (): string { return 'other' } }
  const app = Fastify()
  t.teardown(async () => await app.close())
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  await app.register(rpcPlugin, { services: [new Other()], path: '/other' })
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'ping', id: 1 })
  const headers = { 'content-type': 'application/json' }
  t.equal((await app.inject({ method: 'POST', url: '/rpc', headers, payload: body })).json().result, 'ping')
  t.equal((await app.inject({ method: 'POST', url: '/other', headers, payload: body })).json().result, 'other')
})
