import type { AddressInfo } from 'node:net'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import FastifyOtelInstrumentation from '@fastify/otel'
import type { Histogram } from '@opentelemetry/sdk-metrics'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import Fastify from 'fastify'
import { test } from 'tap'
import { INTERNAL_ERROR, RpcError, rpcMethod, rpcPlugin, type RpcPluginOptions } from '../index'
import { appWith, captureLogs, post } from './fixtures/app'
import { registerOtelSdk } from './fixtures/otel-sdk'
import { openPeer } from './helpers/websocket-peer'

const sdk = registerOtelSdk()

class TracedService {
  @rpcMethod()
  hello (name: string): string {
    return `Hello, ${name}`
  }

  @rpcMethod()
  refuse (): string {
    throw new RpcError(1234, 'Nope', { why: 'because' })
  }

  @rpcMethod()
  crash (): string {
    throw new TypeError('the secret database password is hunter2')
  }

  @rpcMethod()
  async nested (): Promise<string> {
    // A span the method starts itself is a child of the call's span.
    return await trace.getTracer('app').startActiveSpan('inner work', async span => {
      await new Promise(resolve => setTimeout(resolve, 1))
      span.end()
      return 'done'
    })
  }

  @rpcMethod({ timeout: 20 })
  async slow (): Promise<string> {
    await new Promise(resolve => setTimeout(resolve, 200))
    return 'late'
  }

  @rpcMethod({ guard: () => false })
  locked (): string {
    return 'never'
  }

  @rpcMethod({ telemetry: false })
  hot (): string {
    return 'fast'
  }
}

async function app (t: Parameters<typeof appWith>[0], options: Partial<RpcPluginOptions> = {}): ReturnType<typeof appWith> {
  sdk.spans.reset()
  return await appWith(t, { services: [new TracedService()], ...options })
}

function only (name: string): ReadableSpan {
  const found = sdk.spans.getFinishedSpans().filter(span => span.name === name)
  if (found.length !== 1) throw new Error(`expected one span named ${name}, got ${found.length}`)
  return found[0]
}

/** The count of the duration histogram's point with exactly these attributes (0 when there is none). */
async function durationCount (method: string, errorCode?: number): Promise<number> {
  const points = await sdk.points('rpc.server.duration')
  const point = points.find(p => p.attributes['rpc.method'] === method && p.attributes['rpc.jsonrpc.error_code'] === errorCode)
  return point === undefined ? 0 : (point.value as Histogram).count
}

async function refusedCount (limit: string): Promise<number> {
  const points = await sdk.points('rpc.jsonrpc.refused')
  return (points.find(p => p.attributes['rpc.jsonrpc.limit'] === limit)?.value as number | undefined) ?? 0
}

async function inFlight (method: string): Promise<number | undefined> {
  return (await sdk.points('rpc.jsonrpc.calls.in_flight')).find(p => p.attributes['rpc.method'] === method)?.value as number | undefined
}

test('a successful call: one SERVER span named after the method, with the semconv attributes, and its duration', async t => {
  const server = await app(t)
  const before = await durationCount('hello')
  const reply = await post(server, { jsonrpc: '2.0', method: 'hello', params: ['Ada'], id: 7 })
  t.same(reply.json(), { jsonrpc: '2.0', result: 'Hello, Ada', id: 7 })
  const span = only('hello')
  t.equal(span.kind, SpanKind.SERVER)
  t.same(span.attributes, { 'rpc.system': 'jsonrpc', 'rpc.method': 'hello', 'rpc.jsonrpc.version': '2.0', 'rpc.jsonrpc.request_id': '7' })
  t.equal(span.status.code, SpanStatusCode.UNSET)
  t.same(span.events, [])
  t.equal(await durationCount('hello'), before + 1)
  t.equal(await inFlight('hello'), 0, 'the call is no longer counted in flight')
  const point = (await sdk.points('rpc.server.duration')).find(p => p.attributes['rpc.method'] === 'hello')
  t.same(point?.attributes, { 'rpc.system': 'jsonrpc', 'rpc.method': 'hello' })
})

test('an RpcError: the code and message on the span, status left unset (the client erred), the duration counted under the code', async t => {
  const server = await app(t)
  const before = await durationCount('refuse', 1234)
  const reply = await post(server, { jsonrpc: '2.0', method: 'refuse', id: 'r-1' })
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: 1234, message: 'Nope', data: { why: 'because' } }, id: 'r-1' })
  const span = only('refuse')
  t.equal(span.attributes['rpc.jsonrpc.request_id'], 'r-1')
  t.equal(span.attributes['rpc.jsonrpc.error_code'], 1234)
  t.equal(span.attributes['rpc.jsonrpc.error_message'], 'Nope')
  t.equal(span.status.code, SpanStatusCode.UNSET)
  t.same(span.events, [])
  t.equal(await durationCount('refuse', 1234), before + 1)
})

test('a thrown Error: status error and an exception event with the stack; the client still sees only -32603', async t => {
  const server = await app(t)
  const reply = await post(server, { jsonrpc: '2.0', method: 'crash', id: 1 })
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: INTERNAL_ERROR, message: 'Internal error' }, id: 1 })
  t.notMatch(reply.body, /hunter2/)
  const span = only('crash')
  t.equal(span.status.code, SpanStatusCode.ERROR)
  t.equal(span.status.message, 'Internal error')
  t.equal(span.attributes['rpc.jsonrpc.error_code'], INTERNAL_ERROR)
  t.equal(span.events.length, 1)
  const event = span.events[0]
  t.equal(event.name, 'exception')
  t.equal(event.attributes?.['exception.type'], 'TypeError')
  t.equal(event.attributes?.['exception.message'], 'the secret database password is hunter2')
  t.match(String(event.attributes?.['exception.stacktrace']), /TypeError: the secret database password is hunter2\n\s+at /)
})

test('a notification: a span without a request id, and no answer', async t => {
  const server = await app(t)
  const reply = await post(server, { jsonrpc: '2.0', method: 'hello', params: ['Bob'] })
  t.equal(reply.statusCode, 204)
  const span = only('hello')
  t.same(span.attributes, { 'rpc.system': 'jsonrpc', 'rpc.method': 'hello', 'rpc.jsonrpc.version': '2.0' })
})

test('a batch of mixed calls: a span for each call (an unknown name as _OTHER), and the batch size recorded', async t => {
  const server = await app(t)
  const sizesBefore = await sdk.points('rpc.jsonrpc.batch.size')
  const countBefore = sizesBefore.length === 0 ? 0 : (sizesBefore[0].value as Histogram).count
  const reply = await post(server, [
    { jsonrpc: '2.0', method: 'hello', params: ['A'], id: 1 },
    { jsonrpc: '2.0', method: 'hello', params: ['B'] },
    { jsonrpc: '2.0', method: 'refuse', id: 2 },
    { jsonrpc: '2.0', method: 'no.such.method', id: 3 },
    { jsonrpc: '2.0', method: 'nested', id: 4 }
  ])
  t.equal(reply.json().length, 4)
  const names = sdk.spans.getFinishedSpans().map(span => span.name).sort()
  t.same(names, ['_OTHER', 'hello', 'hello', 'inner work', 'nested', 'refuse'])
  const other = only('_OTHER')
  t.equal(other.attributes['rpc.method'], '_OTHER')
  t.equal(other.attributes['rpc.jsonrpc.error_code'], -32601)
  t.equal(other.attributes['rpc.jsonrpc.request_id'], '3')
  t.same(sdk.spans.getFinishedSpans().filter(s => s.name === 'hello').map(s => s.attributes['rpc.jsonrpc.request_id']).sort(), ['1', undefined])
  const inner = only('inner work')
  t.equal(inner.parentSpanContext?.spanId, only('nested').spanContext().spanId, "the method's own span is a child of the call's span")
  const sizes = await sdk.points('rpc.jsonrpc.batch.size')
  t.equal((sizes[0].value as Histogram).count, countBefore + 1)
  t.equal((sizes[0].value as Histogram).max, 5)
})

test('a batch over maxBatchSize is counted as refused, and runs no call', async t => {
  const server = await app(t, { maxBatchSize: 2 })
  const before = await refusedCount('batch_size')
  const call = { jsonrpc: '2.0', method: 'hello', params: ['A'], id: 1 }
  const reply = await post(server, [call, call, call])
  t.equal(reply.json().error.code, -32600)
  t.equal(await refusedCount('batch_size'), before + 1)
  t.same(sdk.spans.getFinishedSpans(), [])
})

test('a guard refusal: the span says -32001 and the refused counter counts it under "guard"', async t => {
  const server = await app(t)
  const before = await refusedCount('guard')
  const reply = await post(server, { jsonrpc: '2.0', method: 'locked', id: 1 })
  t.equal(reply.json().error.code, -32001)
  const span = only('locked')
  t.equal(span.attributes['rpc.jsonrpc.error_code'], -32001)
  t.equal(span.status.code, SpanStatusCode.UNSET)
  t.equal(await refusedCount('guard'), before + 1)
})

test('a timeout: status error on the span, counted under "timeout"', async t => {
  const server = await app(t)
  const before = await refusedCount('timeout')
  const reply = await post(server, { jsonrpc: '2.0', method: 'slow', id: 1 })
  t.equal(reply.json().error.code, -32000)
  const span = only('slow')
  t.equal(span.status.code, SpanStatusCode.ERROR)
  t.equal(span.status.message, 'Call timed out')
  t.equal(span.attributes['rpc.jsonrpc.error_code'], -32000)
  t.equal(await refusedCount('timeout'), before + 1)
})

test('a call refused by maxInFlight is counted under "busy"', async t => {
  const server = await app(t, { maxInFlight: 1 })
  const before = await refusedCount('busy')
  const running = post(server, { jsonrpc: '2.0', method: 'slow', id: 1 })
  const refused = await post(server, { jsonrpc: '2.0', method: 'nested', id: 2 })
  t.equal(refused.statusCode, 503)
  t.equal(await refusedCount('busy'), before + 1)
  t.equal((await running).json().error.code, -32000)
})

test('a body over bodyLimit (413) is counted under "body_size"', async t => {
  const server = await app(t, { bodyLimit: 100 })
  const before = await refusedCount('body_size')
  const reply = await post(server, { jsonrpc: '2.0', method: 'hello', params: ['x'.repeat(200)], id: 1 })
  t.equal(reply.statusCode, 413)
  t.equal(await refusedCount('body_size'), before + 1)
})

test('a WebSocket call gets its span; open connections are counted up and down', async t => {
  sdk.spans.reset()
  const server = Fastify()
  await server.register(rpcPlugin, { services: [new TracedService()], websocket: true })
  server.addHook('onClose', async () => {})
  t.teardown(async () => await server.close())
  await server.listen({ host: '127.0.0.1', port: 0 })
  const url = `ws://127.0.0.1:${(server.server.address() as AddressInfo).port}/rpc`
  const connections = async (): Promise<number> => ((await sdk.points('rpc.jsonrpc.websocket.connections'))[0]?.value as number | undefined) ?? 0
  const before = await connections()
  const peer = await openPeer(t, url)
  peer.send({ jsonrpc: '2.0', method: 'hello', params: ['socket'], id: 'ws-1' })
  const [answer] = await peer.receivedCount(1)
  t.same(answer, { jsonrpc: '2.0', result: 'Hello, socket', id: 'ws-1' })
  t.equal(await connections(), before + 1)
  const span = only('hello')
  t.equal(span.attributes['rpc.jsonrpc.request_id'], 'ws-1')
  t.equal(span.kind, SpanKind.SERVER)
  peer.socket.close()
  await peer.closed()
  for (let i = 0; i < 100 && await connections() !== before; i++) await new Promise(resolve => setTimeout(resolve, 10))
  t.equal(await connections(), before, 'the closed connection is no longer counted')
})

test('under @fastify/otel, each call span is a child of the HTTP request span', async t => {
  sdk.spans.reset()
  const server = Fastify()
  t.teardown(async () => await server.close())
  await server.register(new FastifyOtelInstrumentation().plugin())
  await server.register(rpcPlugin, { services: [new TracedService()] })
  const reply = await post(server, [
    { jsonrpc: '2.0', method: 'hello', params: ['A'], id: 1 },
    { jsonrpc: '2.0', method: 'nested', id: 2 }
  ])
  t.equal(reply.json().length, 2)
  const spans = sdk.spans.getFinishedSpans()
  const request = spans.find(span => span.name === 'request')
  if (request === undefined) throw new Error(`no request span among ${spans.map(s => s.name).join(', ')}`)
  for (const name of ['hello', 'nested']) {
    const call = only(name)
    t.equal(call.spanContext().traceId, request.spanContext().traceId, `${name}: same trace`)
    t.equal(call.parentSpanContext?.spanId, request.spanContext().spanId, `${name}: child of the request span`)
  }
  t.equal(only('inner work').parentSpanContext?.spanId, only('nested').spanContext().spanId)
})

test('@rpcMethod({ telemetry: false }) makes no span for that method only', async t => {
  const server = await app(t)
  const before = await durationCount('hot')
  t.equal((await post(server, { jsonrpc: '2.0', method: 'hot', id: 1 })).json().result, 'fast')
  t.equal((await post(server, { jsonrpc: '2.0', method: 'hello', params: ['A'], id: 2 })).json().result, 'Hello, A')
  t.same(sdk.spans.getFinishedSpans().map(span => span.name), ['hello'])
  t.equal(await durationCount('hot'), before)
})

test('the plugin option telemetry: false makes no span and no metric, and answers the same', async t => {
  const server = await app(t, { telemetry: false })
  const before = await durationCount('hello')
  const reply = await post(server, { jsonrpc: '2.0', method: 'hello', params: ['A'], id: 1 })
  t.same(reply.json(), { jsonrpc: '2.0', result: 'Hello, A', id: 1 })
  t.same(sdk.spans.getFinishedSpans(), [])
  t.equal(await durationCount('hello'), before)
})

test('the telemetry option must be a boolean', async t => {
  await t.rejects(appWith(t, { services: [new TracedService()], telemetry: 'yes' as unknown as boolean }), { code: 'FST_JSONRPC_INVALID_OPTION', message: /`telemetry` must be true or false, got "yes"/ })
})

test('with telemetry on, LOG_LEVEL=debug still logs every call', async t => {
  sdk.spans.reset()
  const { stream, lines } = captureLogs()
  const server = await appWith(t, { services: [new TracedService()] }, { logger: { level: 'debug', stream } })
  await post(server, [{ jsonrpc: '2.0', method: 'hello', params: ['A'], id: 1 }, { jsonrpc: '2.0', method: 'refuse', id: 2 }])
  const calls = lines.filter(line => line.msg === 'rpc call succeeded' || line.msg === 'rpc call failed')
  t.same(calls.map(line => [line.rpcMethod, line.errorCode]), [['hello', undefined], ['refuse', 1234]])
  t.equal(sdk.spans.getFinishedSpans().length, 2)
})
