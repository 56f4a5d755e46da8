import { test } from 'tap'
import { runCommand, type CommandIo } from '../bin/run-command'
import { startServer } from './helpers/client-server'

/**
 * The command's argument handling, run in-process (a process per case would
 * only repeat what test/cli.test.ts shows once) against a real server.
 */
async function run (args: string[], files: Record<string, string> = {}): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const io: CommandIo = {
    out: line => { out.push(line) },
    err: line => { err.push(line) },
    readFile: async path => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`)
      return text
    }
  }
  const code = await runCommand(args, io)
  return { code, out, err }
}

function sent (out: string[]): unknown {
  return JSON.parse((out[0] ?? '').replace(/^--> /, ''))
}

test('arguments are JSON when they parse as JSON, else strings', async t => {
  const server = await startServer(t)
  const object = await run(['call', server.url, 'echo', '{"a":[1,true,null]}'])
  t.equal(object.code, 0)
  t.same(sent(object.out), { jsonrpc: '2.0', method: 'echo', params: [{ a: [1, true, null] }], id: 1 })
  t.equal(object.out[1], '<-- {"jsonrpc":"2.0","result":{"a":[1,true,null]},"id":1} (200 OK)')

  const quoted = await run(['call', server.url, 'hello', '"42"'])
  t.equal(quoted.out[1], '<-- {"jsonrpc":"2.0","result":"Hello, 42","id":1} (200 OK)', '"42" is the string 42')
  const words = await run(['call', server.url, 'hello', 'Nancy Reagan'])
  t.same(sent(words.out), { jsonrpc: '2.0', method: 'hello', params: ['Nancy Reagan'], id: 1 }, 'not JSON: a string')
  const negative = await run(['call', server.url, 'Sum', '--', '-5', '7'])
  t.equal(negative.code, 0)
  t.equal(negative.out[1], '<-- {"jsonrpc":"2.0","result":2,"id":1} (200 OK)', 'numbers after --')
})

test('--id takes numbers and strings', async t => {
  const server = await startServer(t)
  t.same(sent((await run(['call', server.url, 'ping', '--id', '42'])).out), { jsonrpc: '2.0', method: 'ping', id: 42 })
  t.same(sent((await run(['call', server.url, 'ping', '--id', 'abc'])).out), { jsonrpc: '2.0', method: 'ping', id: 'abc' })
  t.same(sent((await run(['call', server.url, 'ping', '--id', '"7"'])).out), { jsonrpc: '2.0', method: 'ping', id: '7' })
})

test('--named values are parsed like arguments', async t => {
  const server = await startServer(t)
  const named = await run(['call', server.url, 'hello', '--named', 'name=Ada Lovelace'])
  t.same(sent(named.out), { jsonrpc: '2.0', method: 'hello', params: { name: 'Ada Lovelace' }, id: 1 })
  t.equal(named.code, 0)
  const twice = await run(['call', server.url, 'Sum', '--named', 'a=1', 'a=2'])
  t.equal(twice.code, 2)
  t.match(twice.err[0], /"a" is given twice/)
  const invalid = await run(['call', server.url, 'Sum', '--named', 'a=1'])
  t.equal(invalid.code, 1, 'a JSON-RPC error from the server')
  t.match(invalid.err[0], /^error: -32602 Invalid params \(data: /)
})

test('--batch reads standard input for "-" and rejects malformed files', async t => {
  const server = await startServer(t)
  const fromStdin = await run(['call', server.url, '--batch', '-'], { '-': '[{"method":"hello","params":["x"],"id":9}]' })
  t.equal(fromStdin.code, 0)
  t.same(fromStdin.out, ['--> [{"jsonrpc":"2.0","method":"hello","params":["x"],"id":9}]', '<-- [{"jsonrpc":"2.0","result":"Hello, x","id":9}] (200 OK)'])

  const notifications = await run(['call', server.url, '--batch', 'n.json'], { 'n.json': '[{"method":"record","params":[1]}]' })
  t.equal(notifications.code, 0)
  t.equal(notifications.out[1], '<-- (204 No Content)')

  const malformed: Array<[string, RegExp]> = [
    ['not json', /is not JSON/],
    ['[]', /non-empty JSON array/],
    ['{"method":"ping"}', /non-empty JSON array/],
    ['[1]', /element 0: a request is an object/],
    ['[{"jsonrpc":"1.0","method":"ping"}]', /"jsonrpc" must be "2.0"/],
    ['[{"params":[]}]', /"method" must be a non-empty string/],
    ['[{"method":"ping","params":5}]', /"params" must be an array or an object/],
    ['[{"method":"ping","id":null}]', /"id" must be a string or a number/],
    ['[{"method":"ping","id":1},{"method":"hao","id":1}]', /the id 1 is used twice/]
  ]
  for (const [text, reason] of malformed) {
    const result = await run(['call', server.url, '--batch', 'b.json'], { 'b.json': text })
    t.equal(result.code, 2, text)
    t.match(result.err[0], reason)
    t.same(result.out, [], 'nothing was sent')
  }
  t.equal(server.headers.length, 2, 'only the two good batches reached the server')
})

test('a wrong command line exits 2 with the reason and sends nothing', async t => {
  const cases: Array<[string[], RegExp]> = [
    [[], /no command given/],
    [['get', 'http://127.0.0.1:1/rpc'], /unknown command "get"/],
    [['call'], /needs the URL/],
    [['call', 'http://127.0.0.1:1/rpc'], /needs a METHOD/],
    [['call', 'not a url', 'ping'], /is not a URL/],
    [['call', 'ftp://127.0.0.1:1/rpc', 'ping'], /only http: and https:/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '--verbose'], /Unknown option '--verbose'/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '--timeout', 'soon'], /--timeout takes a number/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '--timeout=-1'], /--timeout takes a number/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '--max-response-bytes', '0'], /--max-response-bytes takes a whole number/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '--max-response-bytes', '1e3'], /--max-response-bytes takes a whole number/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '-H', 'no colon'], /a header is written 'NAME: VALUE'/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '--notify', '--id', '3'], /a notification has no id/],
    [['call', 'http://127.0.0.1:1/rpc', 'ping', '--batch', 'x.json'], /give no METHOD/],
    [['call', 'http://127.0.0.1:1/rpc', '--batch', 'x.json', '--notify'], /do not apply to --batch/],
    [['call', 'http://127.0.0.1:1/rpc', '--batch', '/nonexistent/batch.json'], /cannot read \/nonexistent\/batch.json/],
    [['call', 'http://127.0.0.1:1/rpc', ''], /method name must be a non-empty string/]
  ]
  for (const [args, reason] of cases) {
    const result = await run(args)
    t.equal(result.code, 2, `exit 2 for: ${args.join(' ')}`)
    t.match(result.err[0], reason)
    if (result.err.length > 1) t.equal(result.err[1], 'Run fastify-jsonrpc --help for the usage.')
    t.same(result.out, [], 'nothing was sent')
  }
})

test('--notify sends a notification and exits 0 on the 204', async t => {
  const server = await startServer(t)
  const result = await run(['call', server.url, 'record', 'hi', '--notify'])
  t.equal(result.code, 0)
  t.same(result.out, ['--> {"jsonrpc":"2.0","method":"record","params":["hi"]}', '<-- (204 No Content)'])
  t.same(server.service.notified, ['hi'])
})

test('--header reaches the server; --timeout bounds the call', async t => {
  const server = await startServer(t)
  const result = await run(['call', server.url, 'ping', '-H', 'Authorization: Bearer t0k3n', '--header', 'X-Trace: a:b'])
  t.equal(result.code, 0)
  t.match(server.headers[0], { authorization: 'Bearer t0k3n', 'x-trace': 'a:b' })

  const slow = await run(['call', server.url, 'sleep', '2000', '--timeout', '100'])
  t.equal(slow.code, 3)
  t.match(slow.err[0], /^transport error \(timeout\): no answer from .* within 100 ms/)
})

test('--max-response-bytes bounds the answer read (exit 3, kind too-large)', async t => {
  const server = await startServer(t)
  const small = await run(['call', server.url, 'echo', 'x'.repeat(200), '--max-response-bytes', '100'])
  t.equal(small.code, 3)
  t.match(small.err[0], /^transport error \(too-large\): .* more than 100 bytes/)
  t.equal(small.out.length, 1, 'the request line only: nothing of the answer was printed')
  const enough = await run(['call', server.url, 'echo', 'x'.repeat(200), '--max-response-bytes', '1000'])
  t.equal(enough.code, 0)
})
