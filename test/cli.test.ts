import { writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import tap, { test } from 'tap'
import { buildDemoApp } from '../demo/app'
import { closedPortUrl, startServer } from './helpers/client-server'
import { lines, parseLine, SEED } from './helpers/seed-lines'
import { runCli, type CliRun } from './helpers/cli-process'

// Nine Node processes, each slowed by tap's coverage hooks, on a shared machine:
// more than the default 60 s per file may be needed, but the run stays bounded.
tap.setTimeout(180_000)

/** Runs the built command in its own process, as a user would. */
async function cli (...args: string[]): Promise<CliRun> {
  return await runCli(args)
}

test('call reproduces the seed\'s five-call transcript against the demo server', async t => {
  const app = await buildDemoApp({ forceCloseConnections: true })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => await app.close())
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/rpc`

  const calls = [['ping'], ['hao'], ['hello', 'Nancy'], ['Sum', '5', '7'], ['lid']]
  // Five processes, each sending one call as the seed's five HTTPClients did; --id gives the seed's ids.
  const runs = await Promise.all(calls.map(async (args, index) => await cli('call', url, ...args, '--id', String(index + 1))))

  const printed = runs.flatMap(run => lines(run.stdout))
  const seed = lines(SEED)
  t.equal(printed.length, seed.length, 'two lines per call')
  for (const [index, seedLine] of seed.entries()) {
    const ours = parseLine(printed[index])
    const theirs = parseLine(seedLine)
    t.equal(ours.arrow, theirs.arrow, `line ${index + 1}: direction`)
    t.same(ours.json, theirs.json, `line ${index + 1}: the same JSON-RPC message as the seed's`)
    t.equal(ours.status, theirs.status, `line ${index + 1}: status ${String(theirs.status)}`)
  }
  t.same(runs.map(run => run.code), [0, 0, 0, 0, 1], 'exit 0 on results, 1 on the error response')
  t.same(runs.slice(0, 4).map(run => run.stderr), ['', '', '', ''])
  t.equal(runs[4]?.stderr, 'error: -32601 Method not found\n', 'the error\'s code and message are stated')
})

test('without --id, each call is id 1; the JSON is printed as sent and received', async t => {
  const server = await startServer(t)
  const run = await cli('call', server.url, 'hello', 'Nancy')
  t.equal(run.code, 0)
  t.same(lines(run.stdout), [
    '--> {"jsonrpc":"2.0","method":"hello","params":["Nancy"],"id":1}',
    '<-- {"jsonrpc":"2.0","result":"Hello, Nancy","id":1} (200 OK)'
  ])
})

test('--batch sends a file\'s batch and exits 1 when one of its calls failed', async t => {
  const server = await startServer(t)
  const directory = t.testdir({})
  const file = join(directory, 'batch.json')
  await writeFile(file, JSON.stringify([
    { jsonrpc: '2.0', method: 'Sum', params: [1, 2], id: 1 },
    { method: 'record', params: ['batched'] },
    { method: 'lid', id: 'x' }
  ]))
  const run = await cli('call', server.url, '--batch', file)
  t.equal(run.code, 1)
  const [request, response] = lines(run.stdout).map(parseLine)
  t.same(request?.json, [
    { jsonrpc: '2.0', method: 'Sum', params: [1, 2], id: 1 },
    { jsonrpc: '2.0', method: 'record', params: ['batched'] },
    { jsonrpc: '2.0', method: 'lid', id: 'x' }
  ])
  t.same(response?.json, [
    { jsonrpc: '2.0', result: 3, id: 1 },
    { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 'x' }
  ])
  t.equal(response?.status, '200 OK')
  t.equal(run.stderr, 'error in the call with id "x": -32601 Method not found\n')
  t.same(server.service.notified, ['batched'])
})

test('a transport failure exits 3 and says what happened', async t => {
  const url = await closedPortUrl()
  const run = await cli('call', url, 'ping')
  t.equal(run.code, 3)
  t.same(lines(run.stdout), ['--> {"jsonrpc":"2.0","method":"ping","id":1}'])
  t.match(run.stderr, /^transport error \(network\): could not reach http:\/\/127\.0\.0\.1:\d+\/rpc: ECONNREFUSED/)
})

test('a wrong command line exits 2 with the reason; --help documents the command', async t => {
  const wrong = await cli('call', 'http://127.0.0.1:1/rpc', 'Sum', '-5')
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /Unknown option '-5'.*put -- before/)
  t.equal(wrong.stdout, '', 'nothing was sent')

  const help = await cli('--help')
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: fastify-jsonrpc call URL METHOD \[ARG\.\.\.\]/)
  for (const option of ['--named', '--notify', '--batch FILE', '--id ID', '--timeout MS', '--header', 'Exit status']) {
    t.ok(help.stdout.includes(option), `--help documents ${option}`)
  }
})
