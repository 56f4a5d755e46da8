#!/usr/bin/env node
// npm run soak [-- --duration 60 --warmup 10 --connections 10 --pin 1 --workers 0]
//
// Starts the built demo server (dist/demo/server.js) on 127.0.0.1 as a child
// process, drives it with autocannon for a bounded time with a mix of valid
// calls, batches, failing calls and malformed bodies, then reports requests
// served, statuses, socket errors, timeouts, latency and the server's memory
// after warm-up and at the end. Exits 1 on any socket error, timeout, 5xx, or
// memory growth past the thresholds. Sends traffic to 127.0.0.1 only.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const serverScript = join(root, 'dist', 'demo', 'server.js')
const probeScript = join(root, 'bench', 'memory-probe.cjs')

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    pipelining: { type: 'string', default: '1' },
    // Pin the server to this CPU with taskset, so the driver and the server do not trade cores.
    pin: { type: 'string' },
    // Run the demo as a cluster with this many workers (memory is then not probed: the primary serves nothing).
    workers: { type: 'string', default: '0' },
    'max-heap-growth-mb': { type: 'string', default: '8' },
    'max-rss-growth-mb': { type: 'string', default: '48' }
  }
})

function positive (name, min = 0) {
  const value = Number(args[name])
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}, got ${args[name]}`)
  return value
}

const durationS = positive('duration', 1)
const warmupS = positive('warmup')
if (warmupS >= durationS) throw new Error('--warmup must be shorter than --duration')
const connections = positive('connections', 1)
const pipelining = positive('pipelining', 1)
const workers = positive('workers')
const maxHeapGrowth = positive('max-heap-growth-mb') * 1024 * 1024
const maxRssGrowth = positive('max-rss-growth-mb') * 1024 * 1024

if (!existsSync(serverScript)) {
  console.error(`${serverScript} is missing: run \`npm run build\` first (npm run soak does)`)
  process.exit(1)
}

const json = 'application/json'
const call = (method, params, id) => JSON.stringify(params === undefined ? { jsonrpc: '2.0', method, id } : { jsonrpc: '2.0', method, params, id })
/** The traffic mix; each connection cycles through it in order. `expect` is the status each must get. */
const MIX = [
  { name: 'ping', expect: 200, body: call('ping', undefined, 1) },
  { name: 'hello', expect: 200, body: call('hello', ['soak'], 2) },
  { name: 'Sum by name', expect: 200, body: call('Sum', { a: 5, b: 7 }, 3) },
  { name: 'async sleep 2 ms', expect: 200, body: call('sleep', [2], 4) },
  { name: 'batch of 10', expect: 200, body: '[' + Array.from({ length: 10 }, (_, i) => call(i % 2 === 0 ? 'Sum' : 'hello', i % 2 === 0 ? [i, i] : ['x'], i)).join(',') + ']' },
  { name: 'batch with failures', expect: 200, body: `[${call('ping', undefined, 1)},${call('lid', undefined, 2)},${call('Sum', [1], 3)},{"jsonrpc":"1.0"},${call('hao', undefined, 4)}]` },
  { name: 'notification', expect: 204, body: JSON.stringify({ jsonrpc: '2.0', method: 'ping' }) },
  { name: 'unknown method', expect: 404, body: call('lid', undefined, 5) },
  { name: 'invalid params', expect: 400, body: call('Sum', [1, 2, 3], 6) },
  { name: 'malformed JSON', expect: 400, body: '{"jsonrpc":"2.0","method":"ping","id":7' },
  { name: 'poisoned body', expect: 400, body: '{"jsonrpc":"2.0","method":"hello","params":{"__proto__":{"x":1}},"id":8}' },
  { name: 'wrong content type', expect: 415, body: call('ping', undefined, 9), contentType: 'text/plain' }
]

/** A port free on 127.0.0.1 right now: the server runs at LOG_LEVEL=warn, so its "listening" line is not printed. */
async function freePort () {
  const probe = net.createServer()
  await new Promise(resolve => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise(resolve => probe.close(resolve))
  return port
}

async function waitUntilAccepting (url, exited) {
  let gone = false
  exited.then(() => { gone = true })
  const { port } = new URL(url)
  for (let attempt = 0; attempt < 200 && !gone; attempt++) {
    const connected = await new Promise(resolve => {
      const socket = net.connect(Number(port), '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (connected) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`the demo server did not accept connections at ${url}`)
}

function startServer (port) {
  const nodeArgs = ['--expose-gc', '-r', probeScript, serverScript]
  const [command, commandArgs] = args.pin === undefined
    ? [process.execPath, nodeArgs]
    : ['taskset', ['-c', args.pin, process.execPath, ...nodeArgs]]
  const child = spawn(command, commandArgs, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', WORKERS: String(workers), SHUTDOWN_GRACE_MS: '5000' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })))
  return { child, exited, url: `http://127.0.0.1:${port}` }
}

let probeId = 0
function probeMemory (child) {
  const id = ++probeId
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no memory answer from the server')), 5_000)
    child.on('message', function onMessage (message) {
      if (message?.type !== 'memory-probe' || message.id !== id) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(message)
    })
    child.send({ type: 'memory-probe', id })
  })
}

function drive (url, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({
      url: `${url}/rpc`,
      method: 'POST',
      connections,
      pipelining,
      duration: seconds,
      timeout: 10,
      requests: MIX.map(({ body, contentType }) => ({ method: 'POST', path: '/rpc', headers: { 'content-type': contentType ?? json }, body }))
    }, (error, result) => error ? reject(error) : resolve(result))
  })
}

const mb = bytes => `${(bytes / 1024 / 1024).toFixed(1)} MB`

async function main () {
  const server = startServer(await freePort())
  const cleanup = () => { try { server.child.kill('SIGKILL') } catch {} }
  process.on('exit', cleanup)
  const { url } = server
  await waitUntilAccepting(url, server.exited)
  const probe = workers === 0
  console.log(`soak: demo server at ${url}${args.pin === undefined ? '' : ` pinned to CPU ${args.pin}`}, workers ${workers || 'none (single process)'}, ` +
    `${connections} connections, pipelining ${pipelining}, ${durationS} s (${warmupS} s warm-up), ${MIX.length} request kinds`)

  const start = probe ? await probeMemory(server.child) : undefined
  if (warmupS > 0) await drive(url, warmupS)
  const warm = probe ? await probeMemory(server.child) : undefined
  // A reading every 10 s shows whether RSS levels off or keeps climbing.
  const timeline = []
  const sampler = probe
    ? setInterval(() => { probeMemory(server.child).then(m => timeline.push(`${mb(m.rss)} / ${mb(m.heapUsed)}`), () => {}) }, 10_000)
    : undefined
  const result = await drive(url, durationS - warmupS)
  clearInterval(sampler)
  const end = probe ? await probeMemory(server.child) : undefined

  server.child.kill('SIGTERM')
  const exit = await server.exited

  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]))
  const report = {
    measuredSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    statuses,
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    memory: probe
      ? Object.fromEntries(['rss', 'heapTotal', 'newSpace', 'heapUsed', 'external'].map(key => [key, { start: mb(start[key]), afterWarmup: mb(warm[key]), end: mb(end[key]), growthAfterWarmup: mb(end[key] - warm[key]) }]))
      : 'not probed in cluster mode',
    memoryEvery10sRssHeap: probe ? timeline : undefined,
    serverExit: exit
  }
  console.log(JSON.stringify(report, null, 2))

  const failures = []
  if (result.errors > 0) failures.push(`${result.errors} socket errors`)
  if (result.timeouts > 0) failures.push(`${result.timeouts} timeouts`)
  if (result['5xx'] > 0) failures.push(`${result['5xx']} 5xx answers`)
  const expected = {}
  for (const { expect } of MIX) expected[expect] = true
  for (const status of Object.keys(statuses)) if (!expected[status]) failures.push(`unexpected status ${status}`)
  if (probe && end.heapUsed - warm.heapUsed > maxHeapGrowth) failures.push(`heap grew ${mb(end.heapUsed - warm.heapUsed)} after warm-up`)
  if (probe && end.rss - warm.rss > maxRssGrowth) failures.push(`RSS grew ${mb(end.rss - warm.rss)} after warm-up`)
  if (exit.code !== 0) failures.push(`the server exited ${JSON.stringify(exit)} on SIGTERM`)
  if (failures.length > 0) {
    console.error(`soak FAILED: ${failures.join('; ')}`)
    process.exitCode = 1
  } else {
    console.log(`soak passed: no socket errors, no timeouts, no 5xx, ${probe ? 'memory within bounds after warm-up' : 'memory not probed'}, clean shutdown`)
  }
}

main().catch(error => {
  console.error(error)
  process.exitCode = 1
})
