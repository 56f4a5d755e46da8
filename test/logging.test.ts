import 'reflect-metadata'
import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { test } from 'tap'
import { rpcPlugin } from '../plugin'
import { GreetingService } from '../services'

/** Per-call logging: method, id, duration and outcome at debug level, and no work at all when debug is off. */

interface Entry { level: number, msg: string, rpcMethod?: string, rpcId?: unknown, durationMs?: number, errorCode?: number, notification?: boolean }

async function appLoggingAt (level: string): Promise<{ app: FastifyInstance, entries: Entry[] }> {
  const entries: Entry[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line !== '') entries.push(JSON.parse(line))
      callback()
    }
  })
  const app = Fastify({ logger: { level, stream } })
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  return { app, entries }
}

const BATCH = '[{"jsonrpc":"2.0","method":"Sum","params":[1,2],"id":1},{"jsonrpc":"2.0","method":"lid","id":"x"},{"jsonrpc":"2.0","method":"ping"}]'

test('a debug-level logger receives one entry per call with method, id, duration and outcome', async t => {
  const { app, entries } = await appLoggingAt('debug')
  t.teardown(() => app.close())
  await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: BATCH })
  const calls = entries.filter(entry => entry.msg.startsWith('rpc call'))
  t.equal(calls.length, 3, 'one entry per call, notifications included')
  const [sum, lid, ping] = ['Sum', 'lid', 'ping'].map(name => calls.find(entry => entry.rpcMethod === name))
  t.match(sum, { level: 20, msg: 'rpc call succeeded', rpcId: 1, notification: false })
  t.equal(sum?.errorCode, undefined)
  t.match(lid, { level: 20, msg: 'rpc call failed', rpcId: 'x', errorCode: -32601 })
  t.match(ping, { msg: 'rpc call succeeded', notification: true })
  for (const entry of calls) t.ok(typeof entry.durationMs === 'number' && entry.durationMs >= 0, `${String(entry.rpcMethod)}: durationMs`)
})

test('an info-level logger receives no per-call entries', async t => {
  const { app, entries } = await appLoggingAt('info')
  t.teardown(() => app.close())
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: BATCH })
  t.equal(reply.statusCode, 200)
  t.ok(entries.length > 0, 'the logger is live (Fastify logs the request at info)')
  t.same(entries.filter(entry => entry.msg.startsWith('rpc call')), [])
})

/** A logger whose every method does nothing, but for the ones a test gives. */
function fakeLogger (overrides: Record<string, unknown>): FastifyBaseLogger {
  const noop = (): void => {}
  const logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, silent: noop, child: () => logger, ...overrides }
  return logger as unknown as FastifyBaseLogger
}

test('with debug off the plugin never calls log.debug, so no entry is even built', async t => {
  let debugCalls = 0
  const logger = fakeLogger({
    level: 'info',
    isLevelEnabled: (level: string) => level !== 'debug' && level !== 'trace',
    debug: () => { debugCalls++ }
  })
  const app = Fastify({ loggerInstance: logger })
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  t.teardown(() => app.close())
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: BATCH })
  t.equal(reply.statusCode, 200)
  t.equal(debugCalls, 0)
})

test('regression: a logger that throws while logging a call does not leak its message to the client', async t => {
  const logger = fakeLogger({
    level: 'debug',
    isLevelEnabled: () => true,
    debug: () => { throw new Error('SECRET log transport failure') }
  })
  const app = Fastify({ loggerInstance: logger })
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  t.teardown(() => app.close())
  const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: '{"jsonrpc":"2.0","method":"ping","id":1}' })
  t.notMatch(reply.body, /SECRET/, 'the logger\'s error message stays on the server')
  t.equal(reply.statusCode, 500)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null })
})
