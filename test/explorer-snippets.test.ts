import 'reflect-metadata'
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import { test } from 'tap'
import { rpcMethod, rpcPlugin } from '../index'
import { prefillParams, sampleValue, typeLabel } from '../explorer/src/schema'
import { cliCommand, curlCommand, shellQuote, type CallSpec } from '../explorer/src/snippets'

/**
 * The explorer's "copy as" snippets, run for real: each command goes through
 * a POSIX shell to the package's CLI or to curl, against a server on
 * loopback, and must send exactly the call the page would.
 */
const root = resolve(__dirname, '..')
const CLI = join(root, 'dist', 'bin', 'fastify-jsonrpc.js')
// Asynchronous: the server answering these commands runs in this process.
const run = async (command: string): Promise<string> => (await promisify(execFile)('sh', ['-c', command], { encoding: 'utf8', timeout: 20_000 })).stdout

class EchoService {
  @rpcMethod()
  echo (...values: unknown[]): unknown[] {
    return values
  }

  @rpcMethod({ params: { options: { type: 'object' } } })
  named (options: Record<string, unknown>): Record<string, unknown> {
    return options
  }
}

test('shellQuote: the shell gives back exactly the word', async t => {
  for (const word of ['plain', '', "it's", 'two words', '$HOME', '`id`', 'a\\b', '"x"', '-5', 'ünï €', 'line\nbreak', "''"]) {
    t.equal(await run(`printf %s ${shellQuote(word)}`), word, JSON.stringify(word))
  }
})

test('the CLI and curl commands send the call the form holds', async t => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  await app.register(rpcPlugin, { services: [new EchoService()] })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/rpc`
  const cases: Array<[string, CallSpec['params']]> = [
    ['strings the CLI would read as JSON, kept strings', ['Nancy', '42', 'true', '"quoted"', 'null', '[1]']],
    ['numbers, negative ones too, and nested values', [-5, 7.5, { a: [1, { b: null }] }, [], false]],
    ['quotes and shell characters', ["it's", '$HOME `id`', 'a b', '-flag-looking']],
    ['no params', undefined]
  ]
  for (const [name, params] of cases) {
    const spec: CallSpec = { url, method: 'echo', params, headers: [['X-Note', "it's fine"]], notification: false, id: 1 }
    const expected = { jsonrpc: '2.0', result: params ?? [], id: 1 }
    const cliLines = (await run(cliCommand(spec).replace(/^npx fastify-jsonrpc/, `node ${shellQuote(CLI)}`))).trim().split('\n')
    t.same(JSON.parse(cliLines[0]?.slice(4) ?? ''), JSON.parse(`{"jsonrpc":"2.0","method":"echo"${params === undefined ? '' : `,"params":${JSON.stringify(params)}`},"id":1}`), `CLI sends it: ${name}`)
    t.same(JSON.parse(cliLines[1]?.replace(/^<-- /, '').replace(/ \(200 OK\)$/, '') ?? ''), expected, `CLI answer: ${name}`)
    t.same(JSON.parse(await run(curlCommand(spec))), expected, `curl: ${name}`)
  }

  const byName: CallSpec = { url, method: 'named', params: { options: { 'a=b': 1, '': 2 } }, headers: [], notification: false, id: 1 }
  t.same(JSON.parse(await run(curlCommand(byName))), { jsonrpc: '2.0', result: { 'a=b': 1, '': 2 }, id: 1 })
  const odd: CallSpec = { ...byName, params: { 'a=b': 1 } }
  t.match(cliCommand(odd), /--batch -/, 'a key the CLI key=value form cannot hold is sent as a one-call batch')
  // The CLI exits 1 for an error answer: its output is on the rejection.
  const refused = await run(cliCommand(odd).replace('npx fastify-jsonrpc', `node ${shellQuote(CLI)}`)).then(() => undefined, (error: { code?: number, stdout?: string }) => error)
  t.equal(refused?.code, 1)
  t.match(refused?.stdout, '--> [{"jsonrpc":"2.0","method":"named","params":{"a=b":1},"id":1}]', 'which sends the call as it is')
  t.match(refused?.stdout, '"path":"/a=b","message":"unknown parameter', 'to the server (which refuses it: named takes options)')
  const notification: CallSpec = { url, method: 'echo', params: [1], headers: [], notification: true, id: 1 }
  t.equal(cliCommand(notification), `npx fastify-jsonrpc call ${url} echo --notify 1`)
  t.equal(await run(curlCommand(notification)), '', 'a notification gets no body')
})

test('the editor is pre-filled from the schemas', async t => {
  t.equal(typeLabel({ type: 'string' }), 'string')
  t.equal(typeLabel({ type: 'array', items: { type: 'integer' } }), 'integer[]')
  t.equal(typeLabel({ type: 'array', items: { enum: ['a', 'b'] } }), '("a" | "b")[]')
  t.equal(typeLabel({ type: ['string', 'null'] }), 'string | null')
  t.equal(typeLabel({ $ref: 'point#' }), 'point')
  t.equal(typeLabel({ $ref: '#/components/schemas/Point' }), 'Point')
  t.equal(typeLabel({ oneOf: [{ type: 'number' }, { type: 'string', format: 'date-time' }] }), 'number | string (date-time)')
  t.equal(typeLabel({}), 'any')
  t.equal(sampleValue({ type: 'integer', minimum: 1 }), 1)
  t.equal(sampleValue({ type: 'string', default: 'x' }), 'x')
  t.same(sampleValue({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'string' } }, required: ['a'] }), { a: 0 })
  const params = [
    { name: 'query', schema: { type: 'string' }, required: true, summary: '', description: '', deprecated: false, rest: false },
    { name: 'limit', schema: { type: 'integer', minimum: 1 }, required: false, summary: '', description: '', deprecated: false, rest: false },
    { name: 'tags', schema: { type: 'array', items: { type: 'string' } }, required: false, summary: '', description: '', deprecated: false, rest: true }
  ]
  t.equal(prefillParams(params, 'by-position'), '["",1]', 'by position: the rest parameter adds nothing')
  t.equal(prefillParams(params, 'by-name'), '{ "query": "", "limit": 1, "tags": [] }', 'by name: the rest parameter is an array')
  const hostile = [{ ...params[0], name: '__proto__' }]
  t.equal(prefillParams(hostile, 'by-name'), '{ "__proto__": "" }', 'a parameter named __proto__ is a key like any other')
})
