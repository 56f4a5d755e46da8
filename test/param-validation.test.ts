import 'reflect-metadata'
import Fastify, { type FastifyInstance } from 'fastify'
import { test } from 'tap'
import { rpcMethod, rpcPlugin, RpcConfigurationError } from '../index'
import { buildDemoApp } from '../demo/app'

interface Shape { kind: string, size: number }

class CheckedService {
  received: unknown[][] = []

  @rpcMethod({ params: { color: { type: 'string', enum: ['red', 'green'] } } })
  paint (color: string): string {
    return `painted ${color}`
  }

  @rpcMethod({ params: { email: { type: 'string', format: 'email' } } })
  subscribe (email: string): boolean {
    return email.length > 0
  }

  @rpcMethod({ params: { count: { type: 'integer', minimum: 1, maximum: 10 } } })
  repeat (count: number): number {
    return count
  }

  @rpcMethod({
    params: {
      shape: {
        type: 'object',
        properties: { kind: { type: 'string' }, size: { type: 'number', minimum: 0 } },
        required: ['kind', 'size']
      }
    }
  })
  draw (shape: Shape): Shape {
    this.received.push([shape])
    return shape
  }

  @rpcMethod({ params: { values: { type: 'number' } } })
  total (label: string, ...values: number[]): string {
    this.received.push([label, ...values])
    return `${label}=${values.reduce((sum, value) => sum + value, 0)}`
  }

  @rpcMethod({ optional: ['flag'] })
  toggle (flag?: boolean): boolean {
    return flag ?? false
  }

  @rpcMethod()
  anything (value: object): object {
    return value
  }
}

async function checkedApp (service = new CheckedService(), setup?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify()
  setup?.(app)
  await app.register(rpcPlugin, { services: [service] })
  return app
}

async function call (app: FastifyInstance, method: string, params: unknown): Promise<{ status: number, body: Record<string, any> }> {
  const reply = await app.inject({
    method: 'POST',
    url: '/rpc',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 })
  })
  return { status: reply.statusCode, body: reply.json() }
}

test('Sum with ["5", 7] is refused: the declared number type is enforced, "5" is not coerced', async t => {
  const app = await buildDemoApp()
  t.teardown(() => app.close())
  const { status, body } = await call(app, 'Sum', ['5', 7])
  t.equal(status, 400)
  t.same(body, {
    jsonrpc: '2.0',
    error: { code: -32602, message: 'Invalid params', data: [{ path: '/a', message: 'must be number' }] },
    id: 1
  })
})

test('hello with {"name": 42} is refused, and the well-typed calls still answer', async t => {
  const app = await buildDemoApp()
  t.teardown(() => app.close())
  const wrong = await call(app, 'hello', { name: 42 })
  t.equal(wrong.status, 400)
  t.same(wrong.body.error, { code: -32602, message: 'Invalid params', data: [{ path: '/name', message: 'must be string' }] })
  t.same((await call(app, 'hello', { name: 'Nancy' })).body.result, 'Hello, Nancy')
  t.same((await call(app, 'Sum', { a: 5, b: 7 })).body.result, 12)
})

test('every bad parameter is listed, not only the first', async t => {
  const app = await buildDemoApp()
  t.teardown(() => app.close())
  const { body } = await call(app, 'Sum', [true, null])
  t.same(body.error.data, [
    { path: '/a', message: 'must be number' },
    { path: '/b', message: 'must be number' }
  ])
})

test('an enum from `params` is enforced', async t => {
  const app = await checkedApp()
  t.teardown(() => app.close())
  t.equal((await call(app, 'paint', ['red'])).body.result, 'painted red')
  const { status, body } = await call(app, 'paint', ['blue'])
  t.equal(status, 400)
  t.equal(body.error.code, -32602)
  t.same(body.error.data, [{ path: '/color', message: 'must be equal to one of the allowed values' }])
})

test('a string format from `params` is enforced', async t => {
  const app = await checkedApp()
  t.teardown(() => app.close())
  t.equal((await call(app, 'subscribe', { email: 'nancy@example.com' })).body.result, true)
  const { body } = await call(app, 'subscribe', { email: 'not an address' })
  t.same(body.error.data, [{ path: '/email', message: 'must match format "email"' }])
})

test('minimum, maximum and integer from `params` are enforced', async t => {
  const app = await checkedApp()
  t.teardown(() => app.close())
  t.equal((await call(app, 'repeat', [3])).body.result, 3)
  t.same((await call(app, 'repeat', [0])).body.error.data, [{ path: '/count', message: 'must be >= 1' }])
  t.same((await call(app, 'repeat', [11])).body.error.data, [{ path: '/count', message: 'must be <= 10' }])
  t.same((await call(app, 'repeat', [2.5])).body.error.data, [{ path: '/count', message: 'must be integer' }])
})

test('nested object schemas report the path inside the parameter', async t => {
  const app = await checkedApp()
  t.teardown(() => app.close())
  const { body } = await call(app, 'draw', [{ kind: 7, size: -1 }])
  t.same(body.error.data, [
    { path: '/shape/kind', message: 'must be string' },
    { path: '/shape/size', message: 'must be >= 0' }
  ])
  const missing = await call(app, 'draw', { shape: { kind: 'circle' } })
  t.same(missing.body.error.data, [{ path: '/shape/size', message: "must have required property 'size'" }])
})

test('unknown properties of an object parameter reach the method, not dropped', async t => {
  const service = new CheckedService()
  const app = await checkedApp(service)
  t.teardown(() => app.close())
  const shape = { kind: 'circle', size: 2, color: 'red' }
  const { body } = await call(app, 'draw', [shape])
  t.same(body.result, shape)
  t.same(service.received, [[shape]], 'the method saw the extra property')
})

test('no coercion: "3" is not an integer, "true" is not a boolean, 1 is not a string', async t => {
  const app = await checkedApp()
  t.teardown(() => app.close())
  t.same((await call(app, 'repeat', ['3'])).body.error.data, [{ path: '/count', message: 'must be integer' }])
  t.same((await call(app, 'toggle', ['true'])).body.error.data, [{ path: '/flag', message: 'must be boolean' }])
  t.same((await call(app, 'paint', [1])).body.error.data, [
    { path: '/color', message: 'must be string' },
    { path: '/color', message: 'must be equal to one of the allowed values' }
  ])
})

test('an optional parameter left out is not validated; given, it is', async t => {
  const app = await checkedApp()
  t.teardown(() => app.close())
  t.equal((await call(app, 'toggle', [])).body.result, false)
  t.equal((await call(app, 'toggle', {})).body.result, false)
  t.equal((await call(app, 'toggle', { flag: true })).body.result, true)
  t.same((await call(app, 'toggle', { flag: null })).body.error.data, [{ path: '/flag', message: 'must be boolean' }])
})

test('a parameter typed as an object accepts any JSON value', async t => {
  const app = await checkedApp()
  t.teardown(() => app.close())
  t.same((await call(app, 'anything', [[1, 'two']])).body.result, [1, 'two'])
  t.same((await call(app, 'anything', ['text'])).body.result, 'text')
})

test('a rest parameter checks each element against its `params` schema, by position and by name', async t => {
  const service = new CheckedService()
  const app = await checkedApp(service)
  t.teardown(() => app.close())
  t.equal((await call(app, 'total', ['sum', 1, 2, 3])).body.result, 'sum=6')
  t.equal((await call(app, 'total', { label: 'sum', values: [4, 5] })).body.result, 'sum=9')
  const positional = await call(app, 'total', ['sum', 1, 'two', 3, null])
  t.same(positional.body.error.data, [
    { path: '/values/1', message: 'must be number' },
    { path: '/values/3', message: 'must be number' }
  ])
  const named = await call(app, 'total', { label: 9, values: [1, 'x'] })
  t.same(named.body.error.data, [
    { path: '/label', message: 'must be string' },
    { path: '/values/1', message: 'must be number' }
  ])
  t.same(service.received, [['sum', 1, 2, 3], ['sum', 4, 5]], 'refused calls never reached the method')
})

test('a rest parameter without a schema is checked by its declared element type', async t => {
  class Sums {
    @rpcMethod()
    add (...nums: number[]): number {
      return nums.reduce((total, n) => total + n, 0)
    }

    @rpcMethod()
    loose (...values: unknown[]): number {
      return values.length
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rpcPlugin, { services: [new Sums()] })
  t.equal((await call(app, 'add', [1, 2, 3])).body.result, 6)
  const refused = await call(app, 'add', [1, '2', 3])
  t.same(refused.body.error, { code: -32602, message: 'Invalid params', data: [{ path: '/nums/1', message: 'must be number' }] },
    'TypeScript records Number for `...nums: number[]`: "2" is not summed as text')
  t.same((await call(app, 'add', { nums: [1, 'x'] })).body.error.data, [{ path: '/nums/1', message: 'must be number' }])
  t.equal((await call(app, 'loose', [1, 'two', null])).body.result, 3, 'unknown[] elements are not checked')
})

test('$ref reaches a schema added with fastify.addSchema', async t => {
  class Accounts {
    @rpcMethod({ params: { user: { $ref: 'user#' } } })
    register (user: { login: string }): string {
      return user.login
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  app.addSchema({
    $id: 'user',
    type: 'object',
    properties: { login: { type: 'string', minLength: 3 } },
    required: ['login']
  })
  await app.register(rpcPlugin, { services: [new Accounts()] })
  t.equal((await call(app, 'register', [{ login: 'nancy' }])).body.result, 'nancy')
  t.same((await call(app, 'register', [{ login: 'n' }])).body.error.data, [
    { path: '/user/login', message: 'must NOT have fewer than 3 characters' }
  ])
})

test('a validation failure in a batch answers only that call with -32602', async t => {
  const app = await buildDemoApp()
  t.teardown(() => app.close())
  const reply = await app.inject({
    method: 'POST',
    url: '/rpc',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify([
      { jsonrpc: '2.0', method: 'Sum', params: [1, 2], id: 1 },
      { jsonrpc: '2.0', method: 'Sum', params: [1, '2'], id: 2 }
    ])
  })
  t.equal(reply.statusCode, 200)
  t.same(reply.json(), [
    { jsonrpc: '2.0', result: 3, id: 1 },
    { jsonrpc: '2.0', error: { code: -32602, message: 'Invalid params', data: [{ path: '/b', message: 'must be number' }] }, id: 2 }
  ])
})

test('an invalid schema fails at registration with a clear configuration error', async t => {
  class Unknown {
    @rpcMethod({ params: { value: { type: 'string', minLenght: 2 } } })
    echo (value: string): string {
      return value
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(rpcPlugin, { services: [new Unknown()] }) }, {
    name: 'RpcConfigurationError',
    code: 'FST_JSONRPC_INVALID_SCHEMA',
    message: /Unknown\.echo parameter "value": invalid JSON Schema: strict mode: unknown keyword: "minLenght"/
  })
})

test('a type-less `minimum` is refused at registration (strict types)', async t => {
  class Loose {
    @rpcMethod({ params: { value: { minimum: 1 } } })
    echo (value: number): number {
      return value
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  const error = await app.register(rpcPlugin, { services: [new Loose()] }).then(() => undefined, (e: unknown) => e)
  t.type(error, RpcConfigurationError)
  t.match((error as Error).message, /missing type "number" for keyword "minimum"/)
})

test('`params` naming no parameter, or holding no schema, fails at registration', async t => {
  class Typo {
    @rpcMethod({ params: { nmae: { type: 'string' } } })
    hello (name: string): string {
      return name
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(rpcPlugin, { services: [new Typo()] }) }, {
    code: 'FST_JSONRPC_INVALID_DECORATOR',
    message: /`params` names "nmae", which is not a parameter \(parameters: name\)/
  })

  class NotASchema {
    @rpcMethod({ params: { name: 'string' as unknown as boolean } })
    hello (name: string): string {
      return name
    }
  }
  const other = Fastify()
  t.teardown(() => other.close())
  await t.rejects(async () => { await other.register(rpcPlugin, { services: [new NotASchema()] }) }, { code: 'FST_JSONRPC_INVALID_DECORATOR' })
})

test('a $ref to a schema that was never added fails at registration', async t => {
  class Dangling {
    @rpcMethod({ params: { user: { $ref: 'nobody#' } } })
    find (user: object): object {
      return user
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(rpcPlugin, { services: [new Dangling()] }) }, { code: 'FST_JSONRPC_INVALID_SCHEMA', message: /nobody/ })
})
