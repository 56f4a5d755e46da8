import { test } from 'tap'
import { rpcMethod } from '../index'
import { appWith, post } from './fixtures/app'

class TimedService {
  running = 0
  mostAtOnce = 0

  @rpcMethod()
  async wait (ms: number, label: string): Promise<string> {
    this.running++
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running)
    await new Promise(resolve => setTimeout(resolve, ms))
    this.running--
    return label
  }

  @rpcMethod()
  echo (label: string): string {
    return label
  }
}

function call (id: number, ms: number): object {
  return { jsonrpc: '2.0', method: 'wait', params: [ms, `call ${id}`], id }
}

test('calls of a batch run concurrently and come back in request order', async t => {
  const service = new TimedService()
  const app = await appWith(t, { services: [service] })
  // The first call is the slowest: sequential handling or completion order would both show.
  const reply = await post(app, [call(1, 60), call(2, 30), call(3, 0)])
  t.same(reply.json().map((response: { id: number }) => response.id), [1, 2, 3])
  t.same(reply.json().map((response: { result: string }) => response.result), ['call 1', 'call 2', 'call 3'])
  t.equal(service.mostAtOnce, 3, 'all three were running at the same time')
})

test('batchConcurrency bounds how many calls of one batch run at once', async t => {
  const service = new TimedService()
  const app = await appWith(t, { services: [service], batchConcurrency: 4 })
  const batch = Array.from({ length: 40 }, (_, i) => call(i, 2))
  const reply = await post(app, batch)
  t.equal(reply.json().length, 40)
  t.same(reply.json().map((response: { id: number }) => response.id), batch.map((_, i) => i))
  t.equal(service.mostAtOnce, 4)
})

// The refusal of an oversized batch itself is covered in limits.test.ts.
test('the default batch limit is 1000, and a full batch of notifications answers nothing', async t => {
  const app = await appWith(t, { services: [new TimedService()] })
  const over = await post(app, Array.from({ length: 1001 }, () => ({ jsonrpc: '2.0', method: 'wait', params: [0, 'x'] })))
  t.match(over.json().error.message, /at most 1000 calls, this one has 1001/)
  const at = await post(app, Array.from({ length: 1000 }, () => ({ jsonrpc: '2.0', method: 'wait', params: [0, 'x'] })))
  t.equal(at.statusCode, 204, 'a full batch of notifications is accepted and answers nothing')
})

test('a batch holding a batch is an invalid element', async t => {
  const app = await appWith(t, { services: [new TimedService()] })
  const reply = await post(app, [[call(1, 0)], call(2, 0)])
  t.match(reply.json(), [
    { jsonrpc: '2.0', error: { code: -32600 }, id: null },
    { jsonrpc: '2.0', result: 'call 2', id: 2 }
  ])
})

test('a batch mixing synchronous and asynchronous calls keeps request order and its concurrency bound', async t => {
  const service = new TimedService()
  const app = await appWith(t, { services: [service], batchConcurrency: 2 })
  const echo = (id: number): object => ({ jsonrpc: '2.0', method: 'echo', params: [`call ${id}`], id })
  const batch = [echo(1), echo(2), call(3, 40), echo(4), call(5, 10), call(6, 0), echo(7)]
  const reply = await post(app, batch)
  t.same(reply.json().map((response: { result: string }) => response.result), batch.map((_, i) => `call ${i + 1}`))
  t.equal(service.mostAtOnce, 2, 'never more than batchConcurrency asynchronous calls at once')
})
