import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import tap, { test } from 'tap'
import { RpcClient, type RpcLogEvent } from '../client'
import { escapeForTerminal } from '../client/terminal-text'
import { runCli, type CliRun } from './helpers/cli-process'

// A few Node processes, each slowed by tap's coverage hooks, on a shared machine.
tap.setTimeout(120_000)

interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** Runs the built command in its own process, as a user would. */
async function cli (...args: string[]): Promise<CliRun> {
  return await runCli(args)
}

/** Anything a terminal could act on, other than the newline that ends each printed line. */

const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

function assertTerminalSafe (t: tap.Test, run: CliRun): void {
  t.notMatch(run.stdout, UNSAFE, 'standard output holds no control character but line ends')
  t.notMatch(run.stderr, UNSAFE, 'standard error holds no control character but line ends')
}

function lines (text: string): string[] {
  return text.split('\n').filter(line => line !== '')
}

/** A hostile node:http server on 127.0.0.1: answers every POST with `body` as raw bytes. */
async function startHostileServer (t: Teardown, status: number, body: string | Buffer): Promise<string> {
  const server = createHttpServer((request, response) => {
    request.resume()
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(body)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { server.close(); await once(server, 'close') })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`
}

const CLEAR_SCREEN = '\u001b[2J\u001b[H'
const FAKE_LINE = '\r\n<-- {"jsonrpc":"2.0","result":"all good","id":1} (200 OK)'

test('escapeForTerminal: C0, DEL, C1, line separators and bidi controls are escaped; the rest is left', async t => {
  t.equal(escapeForTerminal('plain {"a":"b\\n"} é € 😀'), 'plain {"a":"b\\n"} é € 😀', 'printable text and JSON escapes unchanged')
  t.equal(escapeForTerminal('a\nb\rc\td\be\ff'), 'a\\nb\\rc\\td\\be\\ff')
  t.equal(escapeForTerminal(`${CLEAR_SCREEN}x`), '\\u001b[2J\\u001b[Hx', 'an ANSI sequence is left inert and visible')
  t.equal(escapeForTerminal('\u0000\u0007\u007f\u0080\u009b31m\u009d'), '\\u0000\\u0007\\u007f\\u0080\\u009b31m\\u009d')
  t.equal(escapeForTerminal('\u2028\u2029\u202e\u2066\u200f'), '\\u2028\\u2029\\u202e\\u2066\\u200f')
})

test('a result holding control characters is printed escaped, on one line', async t => {
  // Valid JSON may carry DEL, C1 controls and U+2028 raw inside strings; ESC is escaped as JSON requires.
  const body = '{"jsonrpc":"2.0","result":"a\u007fb\u009b2Jc\u2028d\u202eevil","id":1}'
  const url = await startHostileServer(t, 200, body)
  const run = await cli('call', url, 'ping')
  t.equal(run.code, 0)
  assertTerminalSafe(t, run)
  t.same(lines(run.stdout), [
    '--> {"jsonrpc":"2.0","method":"ping","id":1}',
    '<-- {"jsonrpc":"2.0","result":"a\\u007fb\\u009b2Jc\\u2028d\\u202eevil","id":1} (200 OK)'
  ], 'two lines, the characters shown as their JSON escapes')
})

test('a raw body with an ANSI sequence and a faked line cannot clear the screen or add a line', async t => {
  const url = await startHostileServer(t, 200, `${CLEAR_SCREEN}not json${FAKE_LINE}`)
  const run = await cli('call', url, 'ping')
  t.equal(run.code, 3, 'not JSON: a transport error')
  assertTerminalSafe(t, run)
  const out = lines(run.stdout)
  t.equal(out.length, 2, 'the faked line stays inside the one response line')
  t.equal(out[1], '<-- \\u001b[2J\\u001b[Hnot json\\r\\n<-- {"jsonrpc":"2.0","result":"all good","id":1} (200 OK) (200 OK)')
  t.same(lines(run.stderr).map(line => line.slice(0, 30)), ['transport error (invalid-json)'])
})

test('an error message and data with control characters are printed escaped', async t => {
  const error = { code: -32000, message: `${CLEAR_SCREEN}boom${FAKE_LINE}`, data: { why: 'x\u009b1Ay\u0007' } }
  const url = await startHostileServer(t, 500, JSON.stringify({ jsonrpc: '2.0', error, id: 1 }))
  const run = await cli('call', url, 'ping')
  t.equal(run.code, 1)
  assertTerminalSafe(t, run)
  t.same(lines(run.stderr), [
    'error: -32000 \\u001b[2J\\u001b[Hboom\\r\\n<-- {"jsonrpc":"2.0","result":"all good","id":1} (200 OK) (data: {"why":"x\\u009b1Ay\\u0007"})'
  ], 'one line on standard error')
})

test('a batch\'s error lines are escaped too', async t => {
  const url = await startHostileServer(t, 200, JSON.stringify([
    { jsonrpc: '2.0', error: { code: -32000, message: `bad\r\n${CLEAR_SCREEN}` }, id: 1 }
  ]))
  const directory = t.testdir({})
  const file = join(directory, 'batch.json')
  await writeFile(file, JSON.stringify([{ method: 'ping', id: 1 }]))
  const run = await cli('call', url, '--batch', file)
  t.equal(run.code, 1)
  assertTerminalSafe(t, run)
  t.same(lines(run.stderr), ['error in the call with id 1: -32000 bad\\r\\n\\u001b[2J\\u001b[H'])
})

test('a status line with control characters is printed escaped', async t => {
  // node:http refuses to write such a status line: a raw TCP server writes it.
  const body = '{"jsonrpc":"2.0","result":"ok","id":1}'
  const server = createTcpServer(socket => {
    socket.on('error', () => {})
    socket.once('data', () => {
      socket.end(Buffer.concat([
        Buffer.from('HTTP/1.1 200 O'),
        // ESC, and U+009B (a one-character CSI) in UTF-8.
        Buffer.from([0x1b, 0xc2, 0x9b]),
        Buffer.from(`K\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`)
      ]))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { server.close(); await once(server, 'close') })
  const run = await cli('call', `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`, 'ping')
  t.equal(run.code, 0)
  assertTerminalSafe(t, run)
  t.equal(lines(run.stdout)[1], `<-- ${body} (200 O\\u001b\\u009bK)`)
})

test('the usage is still printed line by line, unescaped where nothing needs it', async t => {
  const run = await cli('--help')
  t.equal(run.code, 0)
  assertTerminalSafe(t, run)
  t.match(run.stdout, /^Usage: fastify-jsonrpc call URL METHOD/)
  t.ok(lines(run.stdout).length > 10, 'several lines')
})

test('the client\'s log: true prints a hostile answer escaped; a log hook of one\'s own gets it exact', async t => {
  const body = `{"jsonrpc":"2.0","result":"a\u009b2Jb","id":1}${CLEAR_SCREEN}`
  const url = await startHostileServer(t, 200, body)
  const printed = t.capture(console, 'log')
  await new RpcClient(url, { log: true }).request('ping').catch(() => undefined)
  t.same(printed().map(call => call.args), [
    ['--> {"jsonrpc":"2.0","method":"ping","id":1}'],
    ['<-- {"jsonrpc":"2.0","result":"a\\u009b2Jb","id":1}\\u001b[2J\\u001b[H (200 OK)']
  ])
  const events: RpcLogEvent[] = []
  await new RpcClient(url, { log: event => { events.push(event) } }).request('ping').catch(() => undefined)
  t.equal(events[1]?.body, body, 'the hook receives the body as it came')
})
