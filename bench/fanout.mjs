// npm run bench:fanout [-- options]: fan-out latency and memory of topics
// shared through Redis (issue 13). A private redis-server and two server
// processes (bench/fanout-server.mjs) on 127.0.0.1; N WebSocket subscribers
// here, split evenly between the two processes and joined in waves; then one
// process publishes M notifications, once paced and once back to back, and
// every subscriber's receive time is compared with the publish time on the
// machine-wide monotonic clock. Every process started here is killed at the
// end, on failure too; the whole run is bounded (RUN_TIMEOUT_MS).
// Options: see usage() below and docs/benchmarks.md.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WebSocket } from 'ws'

const here = dirname(fileURLToPath(import.meta.url))
const SERVER_SCRIPT = join(here, 'fanout-server.mjs')
const TOPIC = 'fanout'
const WAVE_SIZE = 100
const WARMUP_NOTIFICATIONS = 20
const START_TIMEOUT_MS = 15_000
const JOIN_TIMEOUT_MS = 15_000
const DELIVERY_TIMEOUT_MS = 20_000
/** The whole run, start to finish: past it everything is killed and the run fails. */
const RUN_TIMEOUT_MS = 110_000

function usage () {
  return `usage: npm run bench:fanout -- [options]
  --subscribers N    WebSocket subscribers, split between the 2 server processes (default 1000)
  --notifications N  notifications per run (default 100)
  --gap MS           milliseconds between publishes in the paced run (default 50: 20 per second)
  --json             print the results as JSON instead of Markdown (progress goes to stderr either way)`
}

function fail (message) {
  console.error(`${message}\n\n${usage()}`)
  process.exit(2)
}

function positiveInteger (text, name, { allowZero = false } = {}) {
  const value = Number(text)
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) fail(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${text}`)
  return value
}

let args
try {
  args = parseArgs({
    options: {
      subscribers: { type: 'string', default: '1000' },
      notifications: { type: 'string', default: '100' },
      gap: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  }).values
} catch (error) {
  fail(error.message)
}
if (args.help) {
  console.log(usage())
  process.exit(0)
}
const settings = {
  subscribers: positiveInteger(args.subscribers, 'subscribers'),
  notifications: positiveInteger(args.notifications, 'notifications'),
  gapMs: positiveInteger(args.gap, 'gap', { allowZero: true })
}
if (settings.subscribers < 2) fail('--subscribers must be at least 2 (one per server process)')
const RUNS = [
  { key: 'paced', label: `paced, 1 every ${settings.gapMs} ms`, gapMs: settings.gapMs },
  { key: 'burst', label: 'back to back (each publish awaited)', gapMs: 0 }
]

/** This process's CPU time so far (user + system), in milliseconds. */
const ownCpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000 }
const progress = message => process.stderr.write(`${message}\n`)
/** Microseconds on the machine-wide monotonic clock, as bench/fanout-server.mjs stamps them. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n)
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// ---- processes -----------------------------------------------------------

/** Every child started here, killed (SIGKILL) when this process ends, however it ends. */
const children = new Set()
function killAll () {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}
process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { killAll(); process.exit(130) })
}

function track (child) {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

async function freePort () {
  const server = createServer()
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise(resolve => server.close(resolve))
  return port
}

function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms) })
  ]).finally(() => clearTimeout(timer))
}

/** A private redis-server as the Redis tests start it: loopback, a free port, persistence off. */
async function startRedis () {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('redis-server is not installed (Debian: apt-get install -y redis-server)')
  }
  const port = await freePort()
  const child = track(spawn('redis-server', ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] }))
  let output = ''
  await withTimeout(new Promise((resolve, reject) => {
    child.stdout.on('data', chunk => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) resolve()
    })
    child.once('exit', code => reject(new Error(`redis-server exited (${code}): ${output}`)))
  }), START_TIMEOUT_MS, 'redis-server start')
  child.stdout.resume()
  return { child, url: `redis://127.0.0.1:${port}` }
}

async function startServer (redisUrl) {
  const child = track(spawn(process.execPath, [SERVER_SCRIPT], {
    env: { ...process.env, REDIS_URL: redisUrl, MAX_CONNECTIONS: String(settings.subscribers) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  }))
  const port = await withTimeout(new Promise((resolve, reject) => {
    child.on('message', message => { if (message?.type === 'listening') resolve(message.port) })
    child.once('exit', code => reject(new Error(`a server process exited (${code}) before listening`)))
  }), START_TIMEOUT_MS, 'server process start')
  return { child, port }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc (NaN off Linux). */
function cpuMsOf (pid) {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS * 1000
  } catch {
    return NaN
  }
}

/** Current and peak resident set size of a process, in bytes, from /proc (null off Linux). */
function memoryOf (pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = name => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024
    return { rss: kib('VmRSS'), peakRss: kib('VmHWM') }
  } catch {
    return null
  }
}

// ---- subscribers ---------------------------------------------------------

/**
 * Opens one subscriber and joins it to the topic. Each notification's receive
 * time is taken first thing in the message handler, and the text is kept to
 * be parsed after the run: the handler does as little as possible, so the
 * figures are the servers' and Redis's more than this process's.
 */
async function openSubscriber (port, index) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc`, { perMessageDeflate: false })
  const subscriber = { index, socket, received: [], joined: false, closed: false }
  socket.on('close', () => { subscriber.closed = true })
  await new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.once('open', () => {
      socket.on('message', data => {
        const at = monotonicMicros()
        if (subscriber.joined) subscriber.received.push(at, data)
        else {
          const answer = JSON.parse(data.toString())
          if (answer.id !== 'join') return
          if (answer.result !== true) reject(new Error(`join refused: ${data}`))
          subscriber.joined = true
          resolve()
        }
      })
      socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'join', params: [TOPIC], id: 'join' }))
    })
  })
  return subscriber
}

async function openSubscribers (servers) {
  const subscribers = []
  for (let start = 0; start < settings.subscribers; start += WAVE_SIZE) {
    const wave = Array.from({ length: Math.min(WAVE_SIZE, settings.subscribers - start) }, (_, i) => start + i)
    subscribers.push(...await withTimeout(Promise.all(wave.map(index => openSubscriber(servers[index % 2].port, index))), JOIN_TIMEOUT_MS, `wave ${start / WAVE_SIZE + 1} joining`))
  }
  return subscribers
}

// ---- one run -------------------------------------------------------------

async function call (port, method, params) {
  const response = await fetch(`http://127.0.0.1:${port}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 })
  })
  const body = await response.json()
  if (body.error !== undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`)
  return body.result
}

function percentile (sorted, p) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}

/** Publishes the run's notifications from the first server process and waits until every subscriber has them (or the bound passes). */
async function measureRun (run, servers, subscribers, processes, expected = settings.notifications) {
  for (const subscriber of subscribers) subscriber.received = []
  const cpuBefore = processes.map(p => p.pid === process.pid ? ownCpuMs() : cpuMsOf(p.pid))
  const wallStarted = monotonicMicros()
  const published = await call(servers[0].port, 'publish_burst', [TOPIC, expected, run.gapMs, run.key])
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS
  const complete = () => subscribers.every(s => s.received.length / 2 >= expected)
  while (!complete() && Date.now() < deadline) await sleep(20)
  const wallMs = (monotonicMicros() - wallStarted) / 1000
  const cpuMs = processes.map((p, i) => (p.pid === process.pid ? ownCpuMs() : cpuMsOf(p.pid)) - cpuBefore[i])
  // A moment more, so that a duplicate would be seen too.
  await sleep(100)

  const latenciesMs = []
  let delivered = 0
  let lost = 0
  let outOfOrder = 0
  let duplicates = 0
  let incomplete = 0
  for (const subscriber of subscribers) {
    const seen = new Set()
    let last = -1
    for (let i = 0; i < subscriber.received.length; i += 2) {
      const message = JSON.parse(subscriber.received[i + 1].toString())
      if (message.method !== 'tick' || message.params.run !== run.key) continue
      const { seq, sentAtUs } = message.params
      if (seen.has(seq)) { duplicates++; continue }
      seen.add(seq)
      latenciesMs.push((subscriber.received[i] - sentAtUs) / 1000)
      delivered++
      if (seq < last) outOfOrder++
      last = Math.max(last, seq)
    }
    if (seen.size < expected) incomplete++
    lost += expected - seen.size
  }
  latenciesMs.sort((a, b) => a - b)
  const round = ms => Math.round(ms * 100) / 100
  return {
    key: run.key,
    label: run.label,
    gapMs: run.gapMs,
    publishElapsedMs: round(published.elapsedMs),
    publishRate: Math.round(expected / Math.max(published.elapsedMs, 0.001) * 1000),
    expected: expected * subscribers.length,
    delivered,
    lost,
    duplicates,
    outOfOrder,
    incompleteSubscribers: incomplete,
    wallMs: round(wallMs),
    cpuMs: Object.fromEntries(processes.map((p, i) => [p.key, Math.round(cpuMs[i])])),
    latencyMs: {
      p50: round(percentile(latenciesMs, 50)),
      p95: round(percentile(latenciesMs, 95)),
      p99: round(percentile(latenciesMs, 99)),
      max: round(latenciesMs.at(-1) ?? NaN)
    }
  }
}

// ---- report --------------------------------------------------------------

const CPU_COLUMNS = [
  { key: 'server1', label: 'server 1 (publishes)' },
  { key: 'server2', label: 'server 2' },
  { key: 'redis', label: 'redis-server' },
  { key: 'subscribers', label: 'subscribers (this process)' }
]
const mib = bytes => bytes === null || bytes === undefined || Number.isNaN(bytes) ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`

function renderMarkdown (result) {
  const { machine, runs, memory } = result
  const lines = [
    `Fan-out through Redis: ${result.settings.subscribers} subscribers across 2 server processes, ${result.settings.notifications} notifications per run`,
    '',
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.platform}; Node ${machine.node}; redis-server ${machine.redis}; load average at start ${machine.loadAverage.map(n => n.toFixed(2)).join(' / ')}`,
    `- Date: ${machine.date}`,
    `- Command: \`${machine.command}\``,
    `- Joining ${result.settings.subscribers} subscribers (waves of ${WAVE_SIZE}): ${result.joinMs} ms`,
    '',
    '| run | publish rate | delivered / expected | lost | out of order | duplicates | p50 | p95 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(run => `| ${run.label} | ${run.publishRate}/s | ${run.delivered} / ${run.expected} | ${run.lost} | ${run.outOfOrder} | ${run.duplicates} | ${run.latencyMs.p50} ms | ${run.latencyMs.p95} ms | ${run.latencyMs.p99} ms | ${run.latencyMs.max} ms |`),
    '',
    `CPU time per run (ms; wall time of the run: ${runs.map(run => `${run.key} ${Math.round(run.wallMs)} ms`).join(', ')}):`,
    '',
    `| run | ${CPU_COLUMNS.map(c => c.label).join(' | ')} |`,
    `| --- |${CPU_COLUMNS.map(() => ' --- |').join('')}`,
    ...runs.map(run => `| ${run.key} | ${CPU_COLUMNS.map(c => `${run.cpuMs[c.key]} ms`).join(' | ')} |`),
    '',
    '| process | RSS before subscribers | RSS with subscribers | peak RSS (VmHWM) |',
    '| --- | --- | --- | --- |',
    ...memory.map(m => `| ${m.process} | ${mib(m.idleRss)} | ${mib(m.joinedRss)} | ${mib(m.peakRss)} |`)
  ]
  return lines.join('\n')
}

// ---- main ----------------------------------------------------------------

async function main () {
  const argv = process.argv.slice(2).join(' ')
  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    redis: /v=(\S+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'unknown',
    loadAverage: os.loadavg(),
    date: new Date().toISOString(),
    command: process.env.npm_lifecycle_event === 'bench:fanout' ? `npm run bench:fanout${argv === '' ? '' : ` -- ${argv}`}` : `node bench/fanout.mjs ${argv}`.trim()
  }

  progress('starting redis-server and 2 server processes')
  const redis = await startRedis()
  const servers = await Promise.all([startServer(redis.url), startServer(redis.url)])
  const processes = [
    { key: 'server1', process: 'server 1 (publishes)', pid: servers[0].child.pid },
    { key: 'server2', process: 'server 2', pid: servers[1].child.pid },
    { key: 'redis', process: 'redis-server', pid: redis.child.pid }
  ]
  const idle = processes.map(p => memoryOf(p.pid))
  const cpuProcesses = [...processes, { key: 'subscribers', process: 'subscribers (this process)', pid: process.pid }]

  progress(`joining ${settings.subscribers} subscribers in waves of ${WAVE_SIZE}`)
  const joinStarted = Date.now()
  const subscribers = await openSubscribers(servers)
  const joinMs = Date.now() - joinStarted
  // Let the servers' SUBSCRIBE reach Redis before the first publish.
  await sleep(200)
  const joined = processes.map(p => memoryOf(p.pid))

  // Unmeasured: the first notifications also pay for JIT compilation in every process.
  const warmup = { key: 'warmup', label: 'warm-up', gapMs: 0 }
  progress(`warm-up: ${WARMUP_NOTIFICATIONS} notifications, not measured`)
  const warmupResult = await measureRun(warmup, servers, subscribers, cpuProcesses, WARMUP_NOTIFICATIONS)
  const runs = []
  for (const run of RUNS) {
    progress(`run "${run.label}": ${settings.notifications} notifications`)
    runs.push(await measureRun(run, servers, subscribers, cpuProcesses))
  }
  const closed = subscribers.filter(s => s.closed).length
  const peak = processes.map(p => memoryOf(p.pid))
  for (const subscriber of subscribers) subscriber.socket.terminate()

  return {
    machine,
    settings,
    joinMs,
    closedSubscribers: closed,
    warmup: { delivered: warmupResult.delivered, lost: warmupResult.lost, outOfOrder: warmupResult.outOfOrder, duplicates: warmupResult.duplicates },
    runs,
    memory: processes.map((p, i) => ({ process: p.process, idleRss: idle[i]?.rss ?? null, joinedRss: joined[i]?.rss ?? null, peakRss: peak[i]?.peakRss ?? null }))
  }
}

const watchdog = setTimeout(() => {
  console.error(`the fan-out benchmark did not finish within ${RUN_TIMEOUT_MS / 1000} s: stopped`)
  killAll()
  process.exit(1)
}, RUN_TIMEOUT_MS)
watchdog.unref()

try {
  const result = await main()
  console.log(args.json ? JSON.stringify(result, null, 2) : renderMarkdown(result))
  const broken = [result.warmup, ...result.runs].some(run => run.lost > 0 || run.outOfOrder > 0 || run.duplicates > 0) || result.closedSubscribers > 0
  if (broken) console.error('notifications were lost, duplicated or out of order, or subscribers were closed: see the report')
  killAll()
  process.exit(broken ? 1 : 0)
} catch (error) {
  console.error(`the fan-out benchmark failed: ${error.stack ?? error}`)
  killAll()
  process.exit(1)
}
