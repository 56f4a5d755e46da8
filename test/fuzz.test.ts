import 'reflect-metadata'
import fc from 'fast-check'
import type { FastifyServerOptions } from 'fastify'
import { test, type Test } from 'tap'
import { answerProblems } from './fixtures/answer-shape'
import { buildHostileApp } from './fixtures/hostile-app'
import { HOSTILE_METHODS } from './fixtures/hostile-service'

/**
 * Property: whatever arrives, the endpoint answers with a well-formed JSON-RPC
 * response (or 204, or a JSON 413/415), leaks nothing internal, keeps serving,
 * and Object.prototype stays clean. Run counts are bounded so the file stays
 * well under its time limit.
 */

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',')
const RUNS = 150

const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '\\u005f_proto__')
const methodNames = fc.oneof(
  fc.constantFrom('ping', 'hao', 'hello', 'Sum', ...HOSTILE_METHODS),
  fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'rpc.discover', '', 'lid'),
  fc.string({ maxLength: 12 })
)

/** JSON text, including spellings JSON.stringify never writes. */
const oddJsonText = fc.constantFrom(
  '1e400', '-1e400', '1e-400', '-0', '12345678901234567890', '0.1', '"\\ud800"', '"a\\udc00b"', '"\\u0000"',
  '{"__proto__":{"polluted":true}}', '{"\\u005f_proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}', 'true', 'null', '[]', '{}'
)
const anyJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: oddJsonText }
)

function objectText (entries: Array<[string, string]>): string {
  return '{' + entries.map(([key, value]) => JSON.stringify(key).replace('\\\\u005f', '\\u005f') + ':' + value).join(',') + '}'
}

const paramsText: fc.Arbitrary<string> = fc.oneof(
  fc.array(anyJsonText, { maxLength: 4 }).map(items => '[' + items.join(',') + ']'),
  fc.array(fc.tuple(fc.oneof(hostileKeys, fc.constantFrom('name', 'a', 'b', 'value', 'source', 'ms'), fc.string({ maxLength: 6 })), anyJsonText), { maxLength: 4 }).map(objectText),
  anyJsonText
)

/** A request-shaped object: each member may be missing, of the wrong type, or hostile. */
const requestText: fc.Arbitrary<string> = fc.record({
  jsonrpc: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constant('"2.0"') }, { weight: 1, arbitrary: anyJsonText }), { nil: undefined }),
  method: fc.option(fc.oneof({ weight: 4, arbitrary: methodNames.map(name => JSON.stringify(name)) }, { weight: 1, arbitrary: anyJsonText }), { nil: undefined }),
  params: fc.option(paramsText, { nil: undefined }),
  id: fc.option(fc.oneof(fc.integer().map(String), fc.string({ maxLength: 8 }).map(s => JSON.stringify(s)), fc.constant('null'), anyJsonText), { nil: undefined }),
  extra: fc.array(fc.tuple(fc.oneof(hostileKeys, fc.string({ maxLength: 6 })), anyJsonText), { maxLength: 2 })
}).chain(({ extra, ...members }) => {
  const entries: Array<[string, string]> = Object.entries(members).filter((entry): entry is [string, string] => entry[1] !== undefined)
  return fc.shuffledSubarray([...entries, ...extra], { minLength: entries.length + extra.length }).map(objectText)
})

/** A call that passes the envelope checks, so the method (hostile or not) really runs. */
const callText: fc.Arbitrary<string> = fc.record({
  method: fc.constantFrom('ping', 'hello', 'Sum', ...HOSTILE_METHODS),
  params: fc.option(fc.oneof(
    fc.array(anyJsonText, { maxLength: 3 }).map(items => '[' + items.join(',') + ']'),
    fc.array(fc.tuple(fc.constantFrom('name', 'a', 'b', 'value', 'source', 'ms'), anyJsonText), { maxLength: 3 }).map(objectText)
  ), { nil: undefined }),
  id: fc.option(fc.oneof(fc.integer().map(String), fc.string({ maxLength: 8 }).map(s => JSON.stringify(s)), fc.constant('null')), { nil: undefined })
}).map(({ method, params, id }) => objectText([
  ['jsonrpc', '"2.0"'],
  ['method', JSON.stringify(method)],
  ...(params === undefined ? [] : [['params', params] as [string, string]]),
  ...(id === undefined ? [] : [['id', id] as [string, string]])
]))

const batchText = fc.array(fc.oneof({ weight: 4, arbitrary: callText }, { weight: 2, arbitrary: requestText }, { weight: 1, arbitrary: anyJsonText }), { maxLength: 12 })
  .map(items => '[' + items.join(',') + ']')

/** Valid-looking JSON with a cut, an inserted byte or a replaced byte. */
const corruptedText = fc.tuple(fc.oneof(callText, requestText, batchText), fc.nat(), fc.constantFrom('cut', 'insert', 'replace'), fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '\ud800', 'x'))
  .map(([text, at, how, char]) => {
    const position = text.length === 0 ? 0 : at % text.length
    if (how === 'cut') return text.slice(0, position)
    if (how === 'insert') return text.slice(0, position) + char + text.slice(position)
    return text.slice(0, position) + char + text.slice(position + 1)
  })

const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json-rpc', 'application/jsonrequest', 'text/plain', 'application/x-www-form-urlencoded')

const POISONED_BODY = 'the body holds a forbidden "__proto__" or "constructor.prototype" key'

/**
 * For a call that passes the envelope checks: a request is answered with its
 * own id, a notification with 204; unless the whole body was refused as
 * poisoned, which happens before anything in it is trusted.
 */
function correlationProblems (payload: string, statusCode: number, body: string): string[] {
  const answer = statusCode === 204 ? undefined : JSON.parse(body) as { id?: unknown, error?: { data?: unknown } }
  if (answer?.error?.data === POISONED_BODY && answer.id === null) return []
  const request = JSON.parse(payload) as { id?: unknown }
  if (!('id' in request)) return statusCode === 204 ? [] : [`a notification got ${statusCode}`]
  const answerId = answer?.id
  return answerId === request.id ? [] : [`answered id ${JSON.stringify(answerId)} for request id ${JSON.stringify(request.id)}`]
}

interface CheckOptions {
  withContentType?: boolean
  serverOptions?: FastifyServerOptions
  correlate?: boolean
}

async function checkEndpoint (t: Test, name: string, payloads: fc.Arbitrary<string | Uint8Array>, options: CheckOptions = {}): Promise<void> {
  const { withContentType = false, serverOptions = {}, correlate = false } = options
  const { app } = await buildHostileApp(serverOptions)
  t.teardown(() => app.close())
  await fc.assert(
    fc.asyncProperty(payloads, withContentType ? contentTypes : fc.constant('application/json'), async (payload, contentType) => {
      const reply = await app.inject({
        method: 'POST',
        url: '/rpc',
        headers: { 'content-type': contentType },
        payload: typeof payload === 'string' ? payload : Buffer.from(payload)
      })
      const problems = answerProblems(reply)
      if (problems.length === 0 && correlate && typeof payload === 'string') problems.push(...correlationProblems(payload, reply.statusCode, reply.body))
      if (problems.length > 0) throw new Error(`${problems.join('; ')} (status ${reply.statusCode})`)
      if (Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== PROTOTYPE_KEYS) throw new Error('Object.prototype was polluted')
    }),
    { numRuns: RUNS }
  )
  const ping = await app.inject({ method: 'POST', url: '/rpc', payload: { jsonrpc: '2.0', method: 'ping', id: 1 } })
  t.same(ping.json(), { jsonrpc: '2.0', result: 'ping', id: 1 }, `${name}: still serving afterwards`)
  t.equal(({} as Record<string, unknown>).polluted, undefined, `${name}: Object.prototype not polluted`)
}

test('arbitrary JSON values get well-formed answers', async t => {
  await checkEndpoint(t, 'json values', fc.oneof(fc.json({ maxDepth: 4 }), oddJsonText))
})

test('arbitrary request-shaped objects get well-formed answers', async t => {
  await checkEndpoint(t, 'requests', requestText)
})

test('calls of every method with arbitrary params get well-formed answers carrying their own id', async t => {
  await checkEndpoint(t, 'calls', callText, { correlate: true })
})

test('request-shaped objects under onProtoPoisoning "remove" never pollute, even through a naive merge', async t => {
  await checkEndpoint(t, 'remove', fc.oneof(callText, requestText), { serverOptions: { onProtoPoisoning: 'remove', onConstructorPoisoning: 'remove' } })
})

test('batches mixing requests and junk get well-formed answers', async t => {
  await checkEndpoint(t, 'batches', batchText)
})

test('truncated and corrupted JSON gets well-formed answers', async t => {
  await checkEndpoint(t, 'corrupted', corruptedText)
})

test('random bytes under any content type get well-formed answers', async t => {
  await checkEndpoint(t, 'bytes', fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.string({ unit: 'binary', maxLength: 64 })), { withContentType: true })
})
