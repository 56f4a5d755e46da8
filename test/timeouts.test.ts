import { test } from 'tap'
import { CALL_TIMEOUT, rpcMethod } from '../index'
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
