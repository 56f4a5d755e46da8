import { test } from 'tap'
import { RpcError, rpcMethod, INTERNAL_ERROR } from '../index'
import { appWith, captureLogs, post } from './fixtures/app'

class FailingService {
  @rpcMethod()
  refuse (): never {
    throw new RpcError(4001, 'Insufficient funds', { balance: 3, needed: 5 })
  }

  @rpcMethod()
  async refuseLater (): Promise<never> {
    throw new RpcError(-32050, 'Quota exceeded')
  }

  @rpcMethod()
  crash (): never {
    throw new Error('database password is hunter2')
  }

  @rpcMethod()
  async crashLater (): Promise<never> {
    await new Promise(resolve => setImmediate(resolve))
    throw new TypeError('secret detail in an async failure')
  }

  @rpcMethod()
  throwString (): never {
    throw 'a bare string' // eslint-disable-line no-throw-literal
  }

  @rpcMethod()
  rejectUndefined (): Promise<never> {
    return Promise.reject(undefined) // eslint-disable-line prefer-promise-reject-errors
  }

  @rpcMethod()
  bigint (): bigint {
    return 10n
  }

  @rpcMethod()
  circular (): object {
    const node: Record<string, unknown> = {}
    node.self = node
    return node
  }

  @rpcMethod()
  unencodableData (): never {
    throw new RpcError(4002, 'Has bad data', { amount: 1n })
  }

  @rpcMethod()
  ping (): string {
    return 'pong'
  }
}

test('a thrown RpcError becomes the error member: code, message and data', async t => {
  const app = await appWith(t, { services: [new FailingService()] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'refuse', id: 7 })
  t.equal(reply.statusCode, 500)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: 4001, message: 'Insufficient funds', data: { balance: 3, needed: 5 } }, id: 7 })
  const later = await post(app, { jsonrpc: '2.0', method: 'refuseLater', id: 8 })
  t.same(later.json(), { jsonrpc: '2.0', error: { code: -32050, message: 'Quota exceeded' }, id: 8 })
})

test('any other failure is -32603 Internal error: logged with the stack and request id, never sent', async t => {
  const { stream, lines } = captureLogs()
  const app = await appWith(t, { services: [new FailingService()] }, { logger: { stream, level: 'info' } })
  const cases: Array<[string, string | undefined]> = [
    ['crash', 'database password is hunter2'],
    ['crashLater', 'secret detail in an async failure'],
    ['throwString', undefined],
    ['rejectUndefined', undefined],
    ['bigint', undefined],
    ['circular', undefined]
  ]
  for (const [method, secret] of cases) {
    const reply = await post(app, { jsonrpc: '2.0', method, id: method })
    t.equal(reply.statusCode, 500, `${method}: status`)
    t.same(reply.json(), { jsonrpc: '2.0', error: { code: INTERNAL_ERROR, message: 'Internal error' }, id: method }, `${method}: only the generic error is sent`)
    t.notMatch(reply.body, /at .*\(|\.ts:\d+/, `${method}: no stack trace`)
    if (secret !== undefined) t.notOk(reply.body.includes(secret), `${method}: the message stays on the server`)
    const entry = lines.find(line => line.rpcMethod === method && line.level === 50)
    t.ok(entry, `${method}: logged at error level`)
    t.type(entry?.reqId, 'string', `${method}: the log line carries the request id`)
    t.equal(entry?.rpcId, method, `${method}: and the JSON-RPC id`)
    if (secret !== undefined) {
      const err = entry?.err as { message: string, stack: string }
      t.equal(err.message, secret, `${method}: the log has the real message`)
      t.match(err.stack, /method-errors\.test\.ts/, `${method}: and the stack`)
    }
  }
  t.equal((await post(app, { jsonrpc: '2.0', method: 'ping', id: 1 })).json().result, 'pong', 'the server keeps serving')
})

test('an RpcError whose data cannot be encoded keeps its code and message', async t => {
  const app = await appWith(t, { services: [new FailingService()] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'unencodableData', id: 1 })
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: 4002, message: 'Has bad data' }, id: 1 })
})

test('RpcError carries the standard message for a standard code', async t => {
  t.equal(new RpcError(-32602).message, 'Invalid params')
  t.equal(new RpcError(-32099).message, 'Server error')
  t.same(new RpcError(1, 'x', [1]).toJSON(), { code: 1, message: 'x', data: [1] })
  t.same(RpcError.fromObject({ code: 2, message: 'y' }).toJSON(), { code: 2, message: 'y' })
  t.throws(() => new RpcError(1.5), TypeError)
})
