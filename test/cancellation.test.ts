import 'reflect-metadata'
import { getEventListeners } from 'node:events'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { WebSocket } from 'ws'
import { rpcContext, rpcMethod, rpcPlugin, type RpcContext, type RpcLogger } from '../index'
import { buildRegistry, buildDispatcher, type DispatchContext } from '../engine'

/**
 * Issue 10, finding 5 (second half): batches kept starting calls after their
 * HTTP or WebSocket client was gone. DispatchContext.signal tells the engine
 * the sender left; RpcContext.signal tells the method.
 */

function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Rejects when `promise` has not settled within `ms`: proves "at all", not "how fast". */
async function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms) })])
  } finally {
    clearTimeout(timer)
  }
}

class LongService {
  started = 0
  readonly aborted: string[] = []
  private startedListeners: Array<() => void> = []

  /** Resolves once `count` calls have started. */
  async whenStarted (count: number): Promise<void> {
    while (this.started < count) await new Promise<void>(resolve => this.startedListeners.push(resolve))
  }

  private start (): void {
    this.started++
    for (const listener of this.startedListeners.splice(0)) listener()
  }

  /** Waits until its signal aborts (or 2 s, so nothing outlives a failed test). */
  @rpcMethod()
  async waitForAbort (@rpcContext() context: RpcContext): Promise<string> {
    this.start()
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, 2000)
      context.signal?.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
    this.aborted.push(String(context.signal?.aborted))
    return 'stopped'
  }

  /** The same with a timeout of its own: its signal follows the transport's too. */
  @rpcMethod({ timeout: 5000 })
  async timedWaitForAbort (@rpcContext() context: RpcContext): Promise<string> {
    return await this.waitForAbort(context)
  }

  @rpcMethod()
  async slow (ms = 100): Promise<string> {
    this.start()
    await sleep(ms)
    return 'slept'
  }

  @rpcMethod()
  hasSignal (@rpcContext() context: RpcContext): boolean {
    return context.signal instanceof AbortSignal && !context.signal.aborted
  }
}

async function listening (t: Test, service: LongService, options: { batchConcurrency?: number, websocket?: boolean } = {}): Promise<{ app: FastifyInstance, port: number }> {
  const app = Fastify()
  t.teardown(async () => await app.close())
  await app.register(rpcPlugin, { services: [service], ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

/** Sends a body and destroys the connection without reading the answer. */
function sendAndAbandon (port: number, body: string): { abandon: () => void } {
  const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/rpc', headers: { 'content-type': 'application/json' } })
  req.on('error', () => {})
  req.end(body)
  return { abandon: () => req.destroy() }
}

test('a closed HTTP request aborts ctx.signal', async t => {
  const service = new LongService()
  const { port } = await listening(t, service)
  const client = sendAndAbandon(port, JSON.stringify({ jsonrpc: '2.0', method: 'waitForAbort', id: 1 }))
  await within(service.whenStarted(1), 5000, 'the call started')
  client.abandon()
  await within((async () => { while (service.aborted.length === 0) await sleep(5) })(), 1500, 'the method saw the abort')
  t.same(service.aborted, ['true'])
})

test('a closed HTTP request aborts ctx.signal of a call with a timeout too', async t => {
  const service = new LongService()
  const { port } = await listening(t, service)
  const client = sendAndAbandon(port, JSON.stringify({ jsonrpc: '2.0', method: 'timedWaitForAbort', id: 1 }))
  await within(service.whenStarted(1), 5000, 'the call started')
  client.abandon()
  await within((async () => { while (service.aborted.length === 0) await sleep(5) })(), 1500, 'the method saw the abort')
  t.same(service.aborted, ['true'])
})

test('a batch whose HTTP client is gone starts no new calls', async t => {
  const service = new LongService()
  const { port } = await listening(t, service, { batchConcurrency: 2 })
  const batch = Array.from({ length: 20 }, (_, id) => ({ jsonrpc: '2.0', method: 'slow', params: [200], id }))
  const client = sendAndAbandon(port, JSON.stringify(batch))
  await within(service.whenStarted(2), 5000, 'the first two calls started')
  client.abandon()
  // Had the batch gone on, three more rounds of two 200 ms calls would have started by now.
  await sleep(700)
  t.ok(service.started <= 4, `at most the calls already started and those whose slot freed before the close was seen ran (${service.started} of 20)`)
})

test('a closed WebSocket aborts ctx.signal of the calls it started, and its queued messages never start', async t => {
  const service = new LongService()
  const { port } = await listening(t, service, { websocket: true, batchConcurrency: 1 })
  const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc`)
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'waitForAbort', id: 1 }))
  // With one call at a time per connection, these wait in the connection's queue.
  for (let id = 2; id <= 5; id++) socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'slow', params: [10], id }))
  await within(service.whenStarted(1), 5000, 'the first call started')
  socket.terminate()
  await within((async () => { while (service.aborted.length === 0) await sleep(5) })(), 1500, 'the method saw the abort')
  t.same(service.aborted, ['true'], 'ctx.signal aborted when the socket closed')
  await sleep(200)
  t.equal(service.started, 1, 'no queued message of the closed connection started')
})

test('an answered HTTP call does not abort its signal; every HTTP call has one', async t => {
  const service = new LongService()
  const { app } = await listening(t, service)
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: '{"jsonrpc":"2.0","method":"hasSignal","id":1}' })
  t.equal(reply.json().result, true)
})

const quietLog: RpcLogger = { error: () => {}, debug: () => {} }

function engine (service: LongService, batchConcurrency = 2): ReturnType<typeof buildDispatcher> {
  return buildDispatcher(buildRegistry([service]), { maxBatchSize: 100, batchConcurrency, jsonBody: { onProtoPoisoning: 'error', onConstructorPoisoning: 'error' } })
}

test('engine: a batch whose DispatchContext.signal aborts starts no new calls, whatever the transport', async t => {
  const service = new LongService()
  const dispatcher = engine(service)
  const controller = new AbortController()
  const context: DispatchContext = { log: quietLog, logCalls: false, transport: 'custom', signal: controller.signal }
  const pending = dispatcher.dispatch(Array.from({ length: 10 }, (_, id) => ({ jsonrpc: '2.0', method: 'slow', id })), context)
  await service.whenStarted(2)
  controller.abort()
  const result = await within(pending, 2000, 'the batch settled')
  t.equal(service.started, 2, 'only the two calls already running ran')
  t.same(JSON.parse(result.body as string), [{ jsonrpc: '2.0', result: 'slept', id: 0 }, { jsonrpc: '2.0', result: 'slept', id: 1 }],
    'the calls that ran are answered; the others are not')
})

test('engine: a message whose signal is already aborted runs nothing and owes nothing', async t => {
  const service = new LongService()
  const dispatcher = engine(service)
  const context: DispatchContext = { log: quietLog, logCalls: false, signal: AbortSignal.abort() }
  t.same(await dispatcher.dispatch({ jsonrpc: '2.0', method: 'slow', id: 1 }, context), { body: undefined, batch: false, errorCode: 0 })
  t.same(await dispatcher.dispatch([{ jsonrpc: '2.0', method: 'slow', id: 1 }], context), { body: undefined, batch: false, errorCode: 0 })
  t.equal(service.started, 0)
})

test('engine: the transport signal reaches ctx.signal, and calls with a timeout leave no listener on it', async t => {
  const service = new LongService()
  const dispatcher = engine(service, 32)
  const controller = new AbortController()
  const context: DispatchContext = { log: quietLog, logCalls: false, signal: controller.signal }
  // Many calls on one long-lived signal (a WebSocket connection's, say): each unhooks itself when it settles.
  for (let i = 0; i < 50; i++) {
    await dispatcher.dispatch({ jsonrpc: '2.0', method: 'hasSignal', id: i }, context)
  }
  const running = dispatcher.dispatch({ jsonrpc: '2.0', method: 'timedWaitForAbort', id: 'w' }, context)
  await service.whenStarted(1)
  t.equal(getEventListeners(controller.signal, 'abort').length, 1, 'the running call with a timeout follows the transport with one listener; calls without one use its signal as it is')
  controller.abort()
  t.same(JSON.parse((await within(running, 2000, 'the call settled')).body as string), { jsonrpc: '2.0', result: 'stopped', id: 'w' })
  t.same(service.aborted, ['true'])
  t.equal(getEventListeners(controller.signal, 'abort').length, 0, 'no listener left behind')
})
