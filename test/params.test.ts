import { test } from 'tap'
import { rpcMethod } from '../index'
import { appWith, post } from './fixtures/app'

class ParamsService {
  readonly greeting = 'Hi'

  @rpcMethod()
  greet (name: string, punctuation = '!'): string {
    return `${this.greeting} ${name}${punctuation}`
  }

  @rpcMethod({ optional: ['title'] })
  address (name: string, title?: string): string {
    return title === undefined ? name : `${title} ${name}`
  }

  @rpcMethod()
  join (separator: string, ...parts: string[]): string {
    return parts.join(separator)
  }

  @rpcMethod()
  none (): string {
    return 'none'
  }

  @rpcMethod()
  pair ({ a, b }: { a: number, b: number }, [c]: number[]): number {
    return a + b + c
  }

  @rpcMethod()
  async later (value: number): Promise<number> {
    await new Promise(resolve => setImmediate(resolve))
    return value * 2
  }

  @rpcMethod()
  nothing (): undefined {
    return undefined
  }
}

async function call (t: Parameters<typeof appWith>[0], method: string, params?: unknown): Promise<{ status: number, body: Record<string, any> }> {
  const app = await appWith(t, { services: [new ParamsService()] })
  const reply = await post(app, params === undefined ? { jsonrpc: '2.0', method, id: 1 } : { jsonrpc: '2.0', method, params, id: 1 })
  return { status: reply.statusCode, body: reply.json() }
}

test('positional params, with `this` bound to the service', async t => {
  t.equal((await call(t, 'greet', ['Ann', '?'])).body.result, 'Hi Ann?')
})

test('a parameter with a default value may be omitted, by position or by name', async t => {
  t.equal((await call(t, 'greet', ['Ann'])).body.result, 'Hi Ann!')
  t.equal((await call(t, 'greet', { name: 'Ann' })).body.result, 'Hi Ann!')
  t.equal((await call(t, 'greet', { punctuation: '.', name: 'Ann' })).body.result, 'Hi Ann.')
})

test('a parameter listed in `optional` may be omitted', async t => {
  t.equal((await call(t, 'address', ['Smith'])).body.result, 'Smith')
  t.equal((await call(t, 'address', { name: 'Smith' })).body.result, 'Smith')
  t.equal((await call(t, 'address', { name: 'Smith', title: 'Dr' })).body.result, 'Dr Smith')
})

test('a rest parameter takes the remaining positional params, or an array by name', async t => {
  t.equal((await call(t, 'join', ['-', 'a', 'b', 'c'])).body.result, 'a-b-c')
  t.equal((await call(t, 'join', ['-'])).body.result, '')
  t.equal((await call(t, 'join', { separator: '+', parts: ['x', 'y'] })).body.result, 'x+y')
  t.equal((await call(t, 'join', { separator: '+' })).body.result, '')
  const notArray = await call(t, 'join', { separator: '+', parts: 'x' })
  t.equal(notArray.body.error.code, -32602)
  t.same(notArray.body.error.data, [{ path: '/parts', message: 'rest parameter "parts" takes an array' }])
})

test('params may be omitted for a method without parameters', async t => {
  t.equal((await call(t, 'none')).body.result, 'none')
  t.equal((await call(t, 'none', [])).body.result, 'none')
  t.equal((await call(t, 'none', {})).body.result, 'none')
})

test('wrong arity is -32602 Invalid params, saying what was expected', async t => {
  const tooMany = await call(t, 'greet', ['a', 'b', 'c'])
  t.equal(tooMany.status, 400)
  t.same(tooMany.body.error, { code: -32602, message: 'Invalid params', data: [{ path: '', message: 'greet takes 1 to 2 params, got 3' }] })
  const tooFew = await call(t, 'greet', [])
  t.same(tooFew.body.error.data, [{ path: '', message: 'greet takes 1 to 2 params, got 0' }])
  const none = await call(t, 'none', [1])
  t.same(none.body.error.data, [{ path: '', message: 'none takes 0 params, got 1' }])
  const rest = await call(t, 'join', [])
  t.same(rest.body.error.data, [{ path: '', message: 'join takes at least 1 param, got 0' }])
  const omitted = await call(t, 'greet')
  t.equal(omitted.body.error.code, -32602, 'omitting params of a method that needs them')
})

test('a missing required name or an unknown name is -32602, each listed', async t => {
  const reply = await call(t, 'greet', { nam: 'Ann', extra: 1 })
  t.equal(reply.status, 400)
  t.same(reply.body.error, {
    code: -32602,
    message: 'Invalid params',
    data: [
      { path: '/nam', message: 'unknown parameter "nam"' },
      { path: '/extra', message: 'unknown parameter "extra"' },
      { path: '/name', message: 'missing required parameter "name"' }
    ]
  })
})

test('names that exist on Object.prototype are unknown parameters', async t => {
  const reply = await call(t, 'greet', { name: 'Ann', constructor: 1, toString: 2, hasOwnProperty: 3 })
  t.equal(reply.body.error.code, -32602)
  t.same(reply.body.error.data.map((problem: { path: string }) => problem.path), ['/constructor', '/toString', '/hasOwnProperty'])
})

test('destructured parameters are named arg<index>', async t => {
  t.equal((await call(t, 'pair', [{ a: 1, b: 2 }, [3]])).body.result, 6)
  t.equal((await call(t, 'pair', { arg0: { a: 1, b: 2 }, arg1: [4] })).body.result, 7)
})

test('async methods are awaited', async t => {
  t.equal((await call(t, 'later', [21])).body.result, 42)
})

test('a method returning undefined answers result null', async t => {
  const reply = await call(t, 'nothing')
  t.same(reply.body, { jsonrpc: '2.0', result: null, id: 1 })
})
