import { test } from 'tap'
import { CALL_TIMEOUT, rpcMethod, type RpcContext, type RpcGuard } from '../index'
import { appWith, post } from './fixtures/app'

class SlowService {
  @rpcMethod({ timeout: 20 })
  async tooSlow (): Promise<string> {
    await new Promise(resolve => setTimeout(resolve, 200))
    return 'late'
  }

  @rpcMethod()
  async sleep (ms: number): Promise<string> {
    await new Promise(resolve => setTimeout(resolve, ms))
    return 'awake'
  }
}

test('a call over its timeout is answered with CALL_TIMEOUT, and the server keeps serving', async t => {
  const app = await appWith(t, { services: [new SlowService()] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'tooSlow', id: 1 })
  t.equal(reply.statusCode, 500)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: CALL_TIMEOUT, message: 'Call timed out', data: { timeoutMs: 20 } }, id: 1 })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'sleep', params: [1], id: 2 })).json().result, 'awake')
})

test('the plugin-wide timeout applies to methods that set none', async t => {
  const app = await appWith(t, { services: [new SlowService()], timeout: 30 })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'sleep', params: [300], id: 1 })).json().error.code, CALL_TIMEOUT)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'sleep', params: [1], id: 2 })).json().result, 'awake')
})

/** Issue 10, finding 6: an async guard that never settled left the call unanswered for ever. */
const neverDecides: RpcGuard = async () => await new Promise<boolean>(() => {})

class GuardedService {
  readonly guardSignals: Array<boolean | undefined> = []

  @rpcMethod({ timeout: 30, guard: neverDecides })
  stuck (): string {
    return 'never'
  }

  @rpcMethod({
    timeout: 30,
    guard: async (context: RpcContext) => {
      await new Promise<void>(resolve => context.signal?.addEventListener('abort', () => resolve()))
      guarded.guardSignals.push(context.signal?.aborted)
      return true
    }
  })
  watchful (): string {
    return 'never'
  }

  @rpcMethod({ guard: async () => { await new Promise(resolve => setTimeout(resolve, 5)); return true } })
  slowlyAllowed (): string {
    return 'allowed'
  }
}
const guarded = new GuardedService()

test('an async guard that never settles is answered "Call timed out" under the method\'s timeout', async t => {
  const app = await appWith(t, { services: [guarded] })
  const reply = await post(app, { jsonrpc: '2.0', method: 'stuck', id: 1 })
  t.equal(reply.statusCode, 500)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: CALL_TIMEOUT, message: 'Call timed out', data: { timeoutMs: 30 } }, id: 1 })
})

test('the plugin-wide timeout covers guards of methods that set none', async t => {
  const app = await appWith(t, { services: [new SlowService()], timeout: 30, guard: neverDecides })
  t.same((await post(app, { jsonrpc: '2.0', method: 'sleep', params: [1], id: 1 })).json().error, { code: CALL_TIMEOUT, message: 'Call timed out', data: { timeoutMs: 30 } })
})

test("a guard's ctx.signal aborts when the call's time is up", async t => {
  const app = await appWith(t, { services: [guarded] })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'watchful', id: 1 })).json().error.code, CALL_TIMEOUT)
  await new Promise(resolve => setImmediate(resolve))
  t.same(guarded.guardSignals, [true])
})

test('a slow guard that does decide lets the call run', async t => {
  const app = await appWith(t, { services: [guarded] })
  t.equal((await post(app, { jsonrpc: '2.0', method: 'slowlyAllowed', id: 1 })).json().result, 'allowed')
})
