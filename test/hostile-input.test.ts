import 'reflect-metadata'
import type { FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { answerProblems } from './fixtures/answer-shape'
import { buildHostileApp } from './fixtures/hostile-app'

/** Targeted hostile bodies: each gets a clear answer, nothing leaks, nothing is polluted, the server keeps serving. */

async function post (app: FastifyInstance, payload: string | Buffer): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> {
  return await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload })
}

async function stillServing (t: Test, app: FastifyInstance): Promise<void> {
  const ping = await post(app, '{"jsonrpc":"2.0","method":"ping","id":"after"}')
  t.same(ping.json(), { jsonrpc: '2.0', result: 'ping', id: 'after' }, 'the server still answers a ping')
}

function call (method: string, params: string, id: number | string = 1): string {
  return `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":${params},"id":${JSON.stringify(id)}}`
}

test('100k levels of nested arrays get -32600, not a crash', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const depth = 100_000
  const reply = await post(app, '['.repeat(depth) + ']'.repeat(depth))
  t.equal(reply.statusCode, 200, 'a batch of one bad element')
  t.same(reply.json(), [{ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request', data: 'a request must be an object' }, id: null }])
  await stillServing(t, app)
})

test('100k levels of nested objects get -32600', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const depth = 100_000
  const reply = await post(app, '{"a":'.repeat(depth) + '1' + '}'.repeat(depth))
  t.equal(reply.statusCode, 400)
  t.equal(reply.json().error.code, -32600)
  await stillServing(t, app)
})

test('an unterminated 100k-deep array gets -32700 Parse error', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const reply = await post(app, '['.repeat(100_000))
  t.equal(reply.statusCode, 400)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
})

test('deeply nested params that overflow the stack when a method encodes them get -32603 and a log entry', async t => {
  const { app, logLines } = await buildHostileApp()
  t.teardown(() => app.close())
  const depth = 100_000
  const reply = await post(app, call('echo', '[' + '['.repeat(depth) + ']'.repeat(depth) + ']'))
  t.equal(reply.statusCode, 500)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 1 })
  t.ok(logLines.some(line => line.includes('cannot be encoded as JSON') && line.includes('RangeError')), 'the RangeError is logged')
  await stillServing(t, app)
})

test('a string param just under bodyLimit is served; one byte more is a JSON 413', async t => {
  const bodyLimit = 64 * 1024
  const { app } = await buildHostileApp({ bodyLimit })
  t.teardown(() => app.close())
  const envelope = call('echo', '[""]')
  const fits = 'x'.repeat(bodyLimit - envelope.length)
  const accepted = await post(app, call('echo', `["${fits}"]`))
  t.equal(accepted.statusCode, 200)
  t.equal(accepted.json().result.length, fits.length, 'the whole string comes back')
  const tooLarge = await post(app, call('echo', `["${fits}x"]`))
  t.equal(tooLarge.statusCode, 413)
  t.same(tooLarge.json(), { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request', data: 'the request body is larger than this endpoint accepts' }, id: null })
  await stillServing(t, app)
})

test('regression: an id of 1e400 (Infinity) is refused instead of echoed as invalid JSON', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  for (const id of ['1e400', '-1e400']) {
    const reply = await post(app, `{"jsonrpc":"2.0","method":"ping","id":${id}}`)
    t.equal(reply.statusCode, 400, `id ${id}`)
    t.same(JSON.parse(reply.body), { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request', data: '"id" must be a string, a number or null' }, id: null })
  }
  const batch = await post(app, '[{"jsonrpc":"2.0","method":"ping","id":1e400},{"jsonrpc":"2.0","method":"ping","id":2}]')
  t.same(JSON.parse(batch.body).map((response: { id: unknown }) => response.id), [null, 2], 'the rest of a batch is answered')
})

test('huge numbers in params follow JSON.parse: 1e400 arrives as Infinity, which a number parameter refuses', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const sum = await post(app, call('Sum', '[1e400, 1]'))
  t.equal(sum.statusCode, 400)
  t.same(sum.json(), { jsonrpc: '2.0', error: { code: -32602, message: 'Invalid params', data: [{ path: '/a', message: 'must be number' }] }, id: 1 },
    'JSON numbers are finite: Infinity is not a number parameter')
  const untyped = await post(app, call('echo', '[1e400]'))
  t.same(untyped.json(), { jsonrpc: '2.0', result: null, id: 1 }, 'an untyped parameter receives Infinity, and JSON encodes it as null')
  const tiny = await post(app, call('echo', '[1e-400]'))
  t.same(tiny.json(), { jsonrpc: '2.0', result: 0, id: 1 }, '1e-400 underflows to 0')
  const precise = await post(app, '{"jsonrpc":"2.0","method":"ping","id":12345678901234567890}')
  t.equal(precise.body, '{"jsonrpc":"2.0","result":"ping","id":12345678901234567000}', 'integer ids beyond 2^53 lose precision, as JSON.parse reads them')
})

test('an empty body gets -32700 Parse error', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const reply = await post(app, '')
  t.equal(reply.statusCode, 400)
  t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
})

test('lone surrogates: escaped ones come back escaped, raw invalid UTF-8 becomes U+FFFD', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  const escaped = await post(app, '{"jsonrpc":"2.0","method":"hello","params":["\\ud800"],"id":"\\udc00"}')
  t.equal(escaped.statusCode, 200)
  t.equal(escaped.body, '{"jsonrpc":"2.0","result":"Hello, \\ud800","id":"\\udc00"}', 'well-formed JSON.stringify escapes them')
  const invalidUtf8 = Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"echo","params":["'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"],"id":1}')])
  const decoded = await post(app, invalidUtf8)
  t.equal(decoded.statusCode, 200)
  t.same(decoded.json().result, '\ufffd'.repeat(3), 'each invalid byte is replaced')
  const method = await post(app, call('\ud800', '[]'))
  t.equal(method.json().error.code, -32601, 'a method name with a lone surrogate is simply not found')
})

const POISONED = [
  ['__proto__', '{"__proto__":{"polluted":true}}'],
  ['escaped __proto__', '{"\\u005f_proto__":{"polluted":true}}'],
  ['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}']
] as const

test('onProtoPoisoning "error" (the default): a poisoned body gets -32600 and never reaches the method', async t => {
  const { app } = await buildHostileApp()
  t.teardown(() => app.close())
  for (const [name, value] of POISONED) {
    const reply = await post(app, call('merge', `[${value}]`))
    t.equal(reply.statusCode, 400, name)
    t.same(reply.json(), {
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request', data: 'the body holds a forbidden "__proto__" or "constructor.prototype" key' },
      id: null
    }, name)
    t.equal(({} as Record<string, unknown>).polluted, undefined, `${name}: Object.prototype untouched`)
  }
  await stillServing(t, app)
})

test('onProtoPoisoning "remove": the keys are stripped and even a naive merge pollutes nothing', async t => {
  const { app } = await buildHostileApp({ onProtoPoisoning: 'remove', onConstructorPoisoning: 'remove' })
  t.teardown(() => app.close())
  for (const [name, value] of POISONED) {
    const reply = await post(app, call('merge', `[${value}]`))
    t.equal(reply.statusCode, 200, name)
    t.notMatch(reply.body, /polluted/, `${name}: the poisoned member is gone`)
    t.equal(({} as Record<string, unknown>).polluted, undefined, `${name}: Object.prototype untouched`)
  }
})

test('onProtoPoisoning "ignore": the key arrives as plain own data and the plugin itself pollutes nothing', async t => {
  const { app } = await buildHostileApp({ onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore' })
  t.teardown(() => app.close())
  for (const [name, value] of POISONED) {
    // echo, not merge: with "ignore", merging untrusted keys is the application's risk to own.
    const reply = await post(app, call('echo', `[${value}]`))
    t.equal(reply.statusCode, 200, name)
    t.same(JSON.parse(reply.body).result, JSON.parse(value), `${name}: echoed as data`)
    t.equal(({} as Record<string, unknown>).polluted, undefined, `${name}: Object.prototype untouched`)
  }
  const envelope = await post(app, '{"__proto__":{"jsonrpc":"2.0","method":"ping"},"id":1}')
  t.equal(envelope.json().error.code, -32600, 'envelope members hidden under __proto__ are not read')
})

const METHOD_FAILURES: Array<[string, number, number]> = [
  ['throwsError', 500, -32603],
  ['throwsString', 500, -32603],
  ['throwsObject', 500, -32603],
  ['throwsNull', 500, -32603],
  ['rejects', 500, -32603],
  ['rejectsWithNumber', 500, -32603],
  ['returnsBigInt', 500, -32603],
  ['returnsCircular', 500, -32603],
  ['returnsThrowingToJson', 500, -32603]
]

test('methods that throw or return anything answer -32603 without leaking, and are logged', async t => {
  const { app, logLines } = await buildHostileApp()
  t.teardown(() => app.close())
  for (const [method, status, code] of METHOD_FAILURES) {
    const reply = await post(app, call(method, '[]'))
    t.equal(reply.statusCode, status, method)
    t.same(reply.json(), { jsonrpc: '2.0', error: { code, message: 'Internal error' }, id: 1 }, method)
    t.same(answerProblems(reply), [], `${method}: nothing internal in the answer`)
    t.ok(logLines.some(line => line.includes(`HostileService.${method}`) && line.includes('"level":50')), `${method}: logged as an error`)
  }
  const undefinedResult = await post(app, call('returnsUndefined', '[]'))
  t.same(undefinedResult.json(), { jsonrpc: '2.0', result: null, id: 1 }, 'undefined is answered as null')
  await stillServing(t, app)
})

test('regression: a thrown Proxy whose traps throw is answered -32603 without leaking', async t => {
  const { app, logLines } = await buildHostileApp()
  t.teardown(() => app.close())
  const single = await post(app, call('throwsHostileObject', '[]'))
  t.equal(single.statusCode, 500)
  t.same(single.json(), { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 1 })
  const batch = await post(app, `[${call('throwsHostileObject', '[]', 1)},${call('ping', '[]', 2)}]`)
  t.same(batch.json(), [
    { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 1 },
    { jsonrpc: '2.0', result: 'ping', id: 2 }
  ], 'the rest of the batch is still answered')
  t.ok(logLines.some(line => line.includes('HostileService.throwsHostileObject failed')), 'the failure is logged')
  await stillServing(t, app)
})
