import { test } from 'tap'
import { RpcClient, RpcError, type RpcProxy } from '../client'
import { GreetingService } from '../services'
import { startServer } from './helpers/client-server'

/**
 * The proxy's types are checked by `npm run typecheck` (tsc over test/): each
 * `@ts-expect-error` line fails the build if it stops being an error, and
 * `assertType<Equal<...>>` fails it if a type changes. The calls also run.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
function assertType<T extends true> (..._proof: T[]): void {}

/** An interface written for the client side only, with an async method and a non-method member. */
interface Calculator {
  Sum: (a: number, b: number) => Promise<number>
  hello: (name: string) => string
  readonly version: string
}

assertType<Equal<ReturnType<RpcProxy<GreetingService>['hello']>, Promise<string>>>()
assertType<Equal<Parameters<RpcProxy<GreetingService>['hello']>, [name: string]>>()
assertType<Equal<ReturnType<RpcProxy<GreetingService>['Sum']>, Promise<number>>>()
assertType<Equal<ReturnType<RpcProxy<GreetingService>['ping']>, Promise<string>>>()
assertType<Equal<keyof RpcProxy<GreetingService>, 'ping' | 'hao' | 'hello' | 'Sum'>>()
// A method that returns a promise is not wrapped twice.
assertType<Equal<ReturnType<RpcProxy<Calculator>['Sum']>, Promise<number>>>()
assertType<Equal<keyof RpcProxy<Calculator>, 'Sum' | 'hello'>>()
// Reserved names never become calls, so the type leaves them out too.
assertType<Equal<keyof RpcProxy<{ then: () => void, toJSON: () => string, run: () => void }>, 'run'>>()

/** Never called: these lines only have to fail type checking. */
function typeErrors (greeting: RpcProxy<GreetingService>, calculator: RpcProxy<Calculator>): void {
  // @ts-expect-error hello takes a string
  void greeting.hello(42)
  // @ts-expect-error Sum takes two numbers
  void greeting.Sum(5)
  // @ts-expect-error Sum takes numbers
  void greeting.Sum('5', 7)
  // @ts-expect-error ping takes no argument
  void greeting.ping('extra')
  // @ts-expect-error the result is a string, not a number
  const n: Promise<number> = greeting.hello('Nancy')
  void n
  // @ts-expect-error version is not a method
  void calculator.version
  // @ts-expect-error unknown method
  void calculator.nope()
}
void typeErrors

test('client.proxy<GreetingService>() calls the service class\'s methods with their types', async t => {
  const server = await startServer(t)
  const api = new RpcClient(server.url).proxy<GreetingService>()
  const greeting: string = await api.hello('Nancy')
  const sum: number = await api.Sum(5, 7)
  t.equal(greeting, 'Hello, Nancy')
  t.equal(sum, 12)
  t.equal(await api.ping(), 'ping')
  t.equal(await api.hao(), 'hao')
})

test('a proxy over an interface: async methods resolve to their value', async t => {
  const server = await startServer(t)
  const calculator = new RpcClient(server.url).proxy<Calculator>()
  const sum: number = await calculator.Sum(1, 2)
  t.equal(sum, 3)
  t.equal(await calculator.hello('Ada'), 'Hello, Ada')
})

test('an unknown method name is a compile error and, at run time, Method not found', async t => {
  const server = await startServer(t)
  const api = new RpcClient(server.url).proxy<GreetingService>()
  // @ts-expect-error lid is not a method of GreetingService
  const call: Promise<unknown> = api.lid()
  await t.rejects(call, { constructor: RpcError, code: -32601, message: 'Method not found' })
})

test('awaiting the proxy itself makes no call', async t => {
  const server = await startServer(t)
  const api = new RpcClient(server.url).proxy<GreetingService>()
  t.equal(await Promise.resolve(api), api, 'the proxy is not a thenable')
  t.equal((api as unknown as Record<string, unknown>).then, undefined)
  t.equal(api.hello, api.hello, 'one function per method name')
  t.equal(server.headers.length, 0, 'nothing was sent')
})

interface SumParams {
  a: number
  b: number
}

test('call takes readonly tuples and interface-typed objects as params', async t => {
  const server = await startServer(t)
  const client = new RpcClient(server.url)
  const byName: SumParams = { a: 1, b: 2 }
  t.equal(await client.call<number>('Sum', byName), 3)
  t.equal(await client.call<number>('Sum', [3, 4] as const), 7)
  const typed: number = await client.request<number>('Sum', 5, 7)
  t.equal(typed, 12)
  // @ts-expect-error params are an array or an object, never a bare number
  await t.rejects(client.call('Sum', 5), TypeError)
})
