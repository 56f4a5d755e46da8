import { test } from 'tap'
import { rpcMethod } from '../index'
import { sdkRegistered } from '../plugin/telemetry'
import { appWith, post } from './fixtures/app'
import { registerOtelSdk } from './fixtures/otel-sdk'

/**
 * The API installed and no SDK registered (issue 12: "with no SDK registered it
 * must cost nothing measurable"): the plugin decides at registration and does
 * not observe calls at all. Runs in its own process, before any SDK exists.
 */
class Hello {
  @rpcMethod() hello (name: string): string { return `Hello, ${name}` }
}

const call = JSON.stringify({ jsonrpc: '2.0', method: 'hello', params: ['Nancy'], id: 1 })

test('without an SDK at registration calls are not observed; with one, they are', async t => {
  t.equal(sdkRegistered(), false, 'no provider registered yet: the API hands out no-ops')
  const before = await appWith(t, { services: [new Hello()] })

  const sdk = registerOtelSdk()
  t.equal(sdkRegistered(), true, 'the tracer and meter providers are seen')
  t.same((await post(before, call)).json(), { jsonrpc: '2.0', result: 'Hello, Nancy', id: 1 })
  t.equal(sdk.spans.getFinishedSpans().length, 0, 'the endpoint registered before the SDK observes nothing')
  t.same(await sdk.points('rpc.server.duration'), [], 'and records no metric')

  const after = await appWith(t, { services: [new Hello()] })
  t.same((await post(after, call)).json(), { jsonrpc: '2.0', result: 'Hello, Nancy', id: 1 })
  t.same(sdk.spans.getFinishedSpans().map(span => span.name), ['hello'], 'the endpoint registered after it makes a span per call')
  t.equal((await sdk.points('rpc.server.duration')).length, 1, 'and records the call')
})
