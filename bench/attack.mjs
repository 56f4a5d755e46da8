#!/usr/bin/env node
// npm run attack [-- --quick] [--only 1,3b] [--json] [--time-limit 15] [--rss-limit-mb 2048]
//
// Replays the attacks of issue 10 against the built plugin, one at a time, each
// on a fresh server process (bench/attack-server.mjs, the plugin's defaults,
// WebSocket on) on 127.0.0.1. While an attack runs, a worker thread pings the
// server over HTTP every ~20 ms (bench/attack-ping-monitor.mjs) and the
// server's resident memory is read from /proc every 50 ms. Prints a Markdown
// table (or JSON) and exits 1 when a target is missed:
//   - a concurrent ping is always answered, within 100 ms;
//   - the server's peak RSS stays under 300 MB;
//   - the server does not crash, and the attack ends within its time limit;
//   - the attack's own targets (listed with each attack below).
// Every attack is bounded: after --time-limit seconds, or when the server's
// RSS passes --rss-limit-mb (a guard for the shared machine), the server is
// killed; every server is killed at the end, also on failure or Ctrl-C.
// Traffic goes to 127.0.0.1 only.
import { fork } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import WebSocket from 'ws'

const here = dirname(fileURLToPath(import.meta.url))
const serverScript = join(here, 'attack-server.mjs')
const pingMonitorScript = join(here, 'attack-ping-monitor.mjs')
const builtPlugin = join(here, '..', 'dist', 'index.js')

const PING_TARGET_MS = 100
const RSS_TARGET_MB = 300
const MiB = 1024 * 1024

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    'time-limit': { type: 'string', default: '15' },
    'rss-limit-mb': { type: 'string', default: '2048' }
  }
})
const timeLimitMs = Number(args['time-limit']) * 1000
const rssLimitBytes = Number(args['rss-limit-mb']) * MiB
if (!(timeLimitMs >= 1000)) usage('--time-limit must be a number of seconds, 1 or more')
if (!(rssLimitBytes >= RSS_TARGET_MB * MiB)) usage(`--rss-limit-mb must be ${RSS_TARGET_MB} or more`)
if (!existsSync(builtPlugin)) usage(`${builtPlugin} is missing: run \`npm run build\` first (npm run attack does)`)

function usage (message) {
  console.error(`attack: ${message}`)
  process.exit(2)
}

/** Sizes per attack: the full ones replay the issue; --quick keeps each under a few seconds. */
const SIZES = args.quick
  ? { restElements: 30_000, namedParams: 9_000, bigMessages: 64, queueMs: 4_000, discoverBytes: 4 * MiB, discoverMs: 4_000, timeoutMs: 2_500, pings: 2_000 }
  : { restElements: 300_000, namedParams: 90_000, bigMessages: 999, queueMs: 8_000, discoverBytes: 10 * MiB, discoverMs: 7_000, timeoutMs: 5_000, pings: 2_000 }

// ---------------------------------------------------------------------------
// Helpers the attacks share

const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))
/** `promise`, or `fallback` after `ms`; the timer is cleared either way, so no wait outlives the race. */
function within (promise, ms, fallback) {
  let timer
  return Promise.race([promise, new Promise(resolve => { timer = setTimeout(resolve, ms, fallback) })]).finally(() => clearTimeout(timer))
}
const mb = (bytes) => `${Math.round(bytes / MiB)} MB`
const kib = (bytes) => bytes < 1024 ? `${bytes} B` : bytes < MiB ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / MiB).toFixed(1)} MiB`
const call = (method, params, id) => JSON.stringify(params === undefined ? { jsonrpc: '2.0', method, id } : { jsonrpc: '2.0', method, params, id })

/** POSTs one body on a connection of its own; resolves with the answer, or { error } (aborted, reset). */
function httpPost (port, body, { agent, signal } = {}) {
  return new Promise(resolve => {
    const started = performance.now()
    const request = http.request({ host: '127.0.0.1', port, path: '/rpc', method: 'POST', agent, signal, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, response => {
      const chunks = []
      response.on('data', chunk => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }))
      response.on('error', error => resolve({ error }))
    })
    request.on('error', error => resolve({ error }))
    request.end(body)
  })
}

/**
 * A WebSocket client of the attack. Masks with zeros, which ws then skips:
 * masking guards proxies that do not exist on loopback, and megabytes masked
 * byte by byte would make the driver, not the server, the bottleneck.
 */
function openSocket (ctx) {
  const socket = new WebSocket(ctx.wsUrl, { generateMask: mask => mask.fill(0), handshakeTimeout: 5_000, maxPayload: 0 })
  ctx.onCleanup(() => socket.terminate())
  const closed = new Promise(resolve => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  socket.on('error', () => {})
  const opened = new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('close', () => reject(new Error('the WebSocket closed before it opened')))
  })
  return { socket, opened, closed }
}

/**
 * Sends `message` up to `count` times, respecting the client's own buffer: at
 * most `window` sends not yet handed to the kernel. Stops at `until`
 * (performance.now()), or when the socket closes. Resolves with the count sent;
 * `onSent` hears of each send (for a note that holds even if the attack is cut short).
 */
async function sendRepeatedly (socket, message, count, until, onSent = () => {}, window = 4) {
  let sent = 0
  let unflushed = 0
  let wake
  const flushed = () => { unflushed--; wake?.() }
  let timer
  const deadline = new Promise(resolve => { timer = setTimeout(resolve, Math.max(0, until - performance.now())) })
  while (sent < count && socket.readyState === WebSocket.OPEN && performance.now() < until) {
    if (unflushed >= window) {
      await Promise.race([new Promise(resolve => { wake = resolve }), deadline])
      wake = undefined
      continue
    }
    unflushed++
    socket.send(message, flushed)
    sent++
    onSent(sent)
  }
  clearTimeout(timer)
  return sent
}

// ---------------------------------------------------------------------------
// The attacks. Each: `prepare()` builds the payload before the server starts
// (so the driver is idle while the attack is measured); `run(ctx, payload)`
// replays it, adds notes, and sets its own checks with ctx.check(name, pass).

/**
 * A client-to-server text frame (RFC 6455 section 5.2) of a short message: FIN and
 * opcode 1, the mask bit and a length under 126, then a zero masking key, so the
 * payload is sent as it is.
 */
function maskedTextFrame (text) {
  const payload = Buffer.from(text)
  if (payload.length > 125) throw new Error('maskedTextFrame frames messages of at most 125 bytes')
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload])
}

function restParamsBody (method, badElement, count) {
  return `{"jsonrpc":"2.0","method":"${method}","params":[${new Array(count).fill(badElement).join(',')}],"id":1}`
}

/**
 * The answer of attack 1's single request: a JSON-RPC error (-32602 today; a
 * fix may refuse oversized params with another code), and small.
 */
async function oneHugeRequest (ctx, body) {
  ctx.note(`request ${kib(body.length)}`)
  ctx.check('answered with a JSON-RPC error', false)
  ctx.check('answer under 64 KiB', false)
  const answer = await httpPost(ctx.port, body, { signal: ctx.signal })
  if (answer.error !== undefined) {
    ctx.note(`no answer (${answer.error.code ?? answer.error.message})`)
    return
  }
  let code
  try {
    code = JSON.parse(answer.text).error?.code
  } catch {}
  const bytes = Buffer.byteLength(answer.text)
  ctx.note(`answer ${answer.status} ${code ?? '?'}: ${kib(bytes)} after ${Math.round(answer.ms)} ms`)
  ctx.check('answered with a JSON-RPC error', Number.isInteger(code))
  ctx.check('answer under 64 KiB', bytes <= 64 * 1024)
}

const ATTACKS = [
  {
    id: '1a',
    title: `typed rest parameter: ${SIZES.restElements.toLocaleString('en')} bad elements in one request`,
    prepare: () => restParamsBody('sum', '""', SIZES.restElements),
    run: oneHugeRequest
  },
  {
    id: '1b',
    title: `rest parameter with an element schema: ${SIZES.restElements.toLocaleString('en')} bad elements`,
    prepare: () => restParamsBody('scores', '-1', SIZES.restElements),
    run: oneHugeRequest
  },
  {
    id: '1c',
    title: `${SIZES.namedParams.toLocaleString('en')} unknown named params`,
    prepare () {
      const names = Array.from({ length: SIZES.namedParams }, (_, i) => `"${i.toString(36)}":0`)
      return `{"jsonrpc":"2.0","method":"ping","params":{${names.join(',')}},"id":1}`
    },
    run: oneHugeRequest
  },
  {
    id: '2',
    title: `5 WebSocket connections, each queuing up to ${SIZES.bigMessages} messages of 1 MiB behind 32 slow calls`,
    prepare () {
      // Just under the default bodyLimit (1 MiB): every message is one the server must accept.
      const text = call('ping', ['x'], 'big')
      return Buffer.from(text.replace('"x"', `"${'x'.repeat(MiB - 512 - text.length)}"`))
    },
    async run (ctx, bigMessage) {
      const connections = Array.from({ length: 5 }, () => openSocket(ctx))
      await Promise.all(connections.map(c => c.opened))
      const answers = connections.map(() => 0)
      const closes = []
      connections.forEach((c, i) => {
        c.socket.on('message', () => { answers[i]++ })
        c.closed.then(close => closes.push(close))
      })
      // The slow calls outlast the attack: every slot of the connection stays taken.
      for (const { socket } of connections) {
        for (let i = 0; i < 32; i++) socket.send(call('slow', [SIZES.queueMs + 10_000], `slow-${i}`))
      }
      const until = performance.now() + SIZES.queueMs
      const sent = connections.map(() => 0)
      const noteSent = () => ctx.note(`1 MiB messages sent per connection: ${sent.join(', ')} (${kib(sent.reduce((a, b) => a + b, 0) * bigMessage.length)} in all)`, 'sent')
      await Promise.all(connections.map((c, i) => sendRepeatedly(c.socket, bigMessage, SIZES.bigMessages, until, n => { sent[i] = n; noteSent() })))
      await sleep(500)
      ctx.note(`answers received: ${answers.reduce((a, b) => a + b, 0)}`)
      ctx.note(closes.length === 0 ? 'no connection closed by the server' : `closed: ${describeCloses(closes)}`)
    }
  },
  {
    id: '3',
    title: `a WebSocket client that never reads sends ${kib(SIZES.discoverBytes)} of batches of rpc.discover`,
    prepare: () => Buffer.from(`[${Array.from({ length: 1000 }, (_, i) => call('rpc.discover', undefined, i)).join(',')}]`),
    async run (ctx, batch) {
      const discover = await httpPost(ctx.port, call('rpc.discover', undefined, 1))
      if (discover.text !== undefined) ctx.note(`one rpc.discover answer: ${kib(Buffer.byteLength(discover.text))}`)
      const { socket, opened, closed } = openSocket(ctx)
      let closedBy
      closed.then(close => { closedBy = close })
      await opened
      // Never read: the socket stops taking bytes from the kernel, so the server's writes pile up.
      socket.pause()
      const until = performance.now() + SIZES.discoverMs
      await sendRepeatedly(socket, batch, Math.ceil(SIZES.discoverBytes / batch.length), until,
        sent => ctx.note(`sent ${sent} batches of 1000 (${kib(sent * batch.length)}), ${sent * 1000} calls`, 'sent'))
      await sleep(1_000)
      ctx.note(`RSS with the client connected: ${mb(ctx.rss())}`)
      ctx.note(closedBy === undefined ? 'the server did not close the connection' : `closed: ${describeCloses([closedBy])}`)
      socket.terminate()
      await sleep(2_000)
      ctx.note(`RSS 2 s after the client left: ${mb(ctx.rss())}`)
    }
  },
  {
    id: '4',
    title: `10 HTTP connections of batches of calls that time out (timeout: 100) for ${SIZES.timeoutMs / 1000} s`,
    serverEnv: { ATTACK_TIMEOUT: '100' },
    prepare: () => `[${Array.from({ length: 1000 }, (_, i) => call('never', undefined, i)).join(',')}]`,
    async run (ctx, batch) {
      const agents = Array.from({ length: 10 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }))
      const leave = new AbortController()
      ctx.onCleanup(() => { leave.abort(); for (const agent of agents) agent.destroy() })
      const started = performance.now()
      const until = started + SIZES.timeoutMs
      const answers = { batches: 0, timedOut: 0, refused: 0, other: 0 }
      const series = []
      const sampler = (async () => {
        while (performance.now() < until) {
          await sleep(250)
          const stats = await ctx.stats()
          if (stats !== undefined) series.push({ at: performance.now() - started, running: stats.running })
        }
      })()
      await Promise.all(agents.map(async agent => {
        while (performance.now() < until && !leave.signal.aborted) {
          const answer = await httpPost(ctx.port, batch, { agent, signal: leave.signal })
          if (answer.error !== undefined) break
          answers.batches++
          let items
          try {
            items = JSON.parse(answer.text)
          } catch {}
          // A whole batch may be refused with one error (e.g. a 503 when the server is full).
          for (const item of Array.isArray(items) ? items : [items]) {
            if (item?.error?.code === -32000) answers.timedOut++
            else if (item?.error !== undefined) answers.refused++
            else answers.other++
          }
        }
      }).map(loop => within(loop, Math.max(0, until - performance.now()))))
      await sampler
      // The clients leave with their batches unfinished: their calls should stop starting.
      leave.abort()
      for (const agent of agents) agent.destroy()
      const atLeave = await ctx.stats()
      await sleep(1_000)
      const later = await ctx.stats()
      if (atLeave === undefined || later === undefined) {
        ctx.note('the server did not report its counters')
        return
      }
      const half = series.filter(s => s.at <= SIZES.timeoutMs / 2).reduce((most, s) => Math.max(most, s.running), 0)
      ctx.note(`calls running: peak ${later.peakRunning.toLocaleString('en')} (${half.toLocaleString('en')} by half-time), started ${later.started.toLocaleString('en')}`)
      ctx.note(`answers: ${answers.timedOut} timed out, ${answers.refused} refused, ${answers.other} other, in ${answers.batches} answered batches`)
      const startedAfter = later.started - atLeave.started
      ctx.note(`calls started in the 1 s after the clients left: ${startedAfter.toLocaleString('en')}`)
      // Bounded means the count stops growing: by half-time it has reached its bound.
      ctx.check('calls running stop growing', atLeave.peakRunning <= half * 1.1)
      // Slack for calls whose slot freed while the server had not yet seen the close.
      ctx.check('no calls start after the clients left', startedAfter <= 10 * 32)
    }
  },
  {
    id: '5',
    title: `${SIZES.pings.toLocaleString('en')} instant pings on one WebSocket`,
    // One buffer of every frame, written at once: the server finds the whole burst on its
    // socket in one read. (Sent one ws.send each, the frames go out in writes of at most
    // 512 and a loopback server may well keep up, so the burst would not be one.)
    prepare: () => Buffer.concat(Array.from({ length: SIZES.pings }, (_, i) => maskedTextFrame(call('ping', undefined, i)))),
    async run (ctx, burst) {
      const count = SIZES.pings
      const { socket, opened, closed } = openSocket(ctx)
      await opened
      const ids = new Set()
      let allAnswered
      const done = new Promise(resolve => { allAnswered = resolve })
      socket.on('message', data => {
        try {
          const answer = JSON.parse(data.toString())
          if (answer.result === 'pong') ids.add(answer.id)
        } catch {}
        if (ids.size === count) allAnswered()
      })
      let closedBy
      closed.then(close => { closedBy = close })
      // `_socket` is ws's net.Socket (there is no public handle on it); nothing else is being sent.
      socket._socket.write(burst)
      await within(Promise.race([done, closed]), 10_000)
      ctx.note(`answered ${ids.size} of ${count}`)
      ctx.note(closedBy === undefined ? 'the socket stayed open' : `closed: ${describeCloses([closedBy])}`)
      ctx.check('every ping answered', ids.size === count)
      ctx.check('socket stays open', closedBy === undefined)
    }
  }
]

function describeCloses (closes) {
  const counts = new Map()
  for (const { code, reason } of closes) {
    // 1006: no close frame was read (a client that does not read never sees the server's).
    const key = reason ? `${code} "${reason}"` : code === 1006 ? '1006 (no close frame read)' : String(code)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([key, n]) => n === 1 ? key : `${n}× ${key}`).join(', ')
}

// ---------------------------------------------------------------------------
// The server under attack, its memory, and the concurrent ping

const children = new Set()

function startServer (env) {
  const child = fork(serverScript, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: []
  })
  children.add(child)
  let stderr = ''
  child.stderr.on('data', chunk => { stderr = (stderr + chunk).slice(-2000) })
  const exited = new Promise(resolve => child.once('exit', (code, signal) => {
    children.delete(child)
    resolve({ code, signal })
  }))
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start in 15 s')), 15_000)
    child.on('message', message => {
      if (message?.type === 'listening') {
        clearTimeout(timer)
        resolve(message.port)
      }
    })
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`the server exited before listening (${signal ?? code}): ${stderr.trim()}`))
    })
  })
  return { child, exited, listening, stderr: () => stderr }
}

/** The server's counters over IPC; undefined when it does not answer within `ms` (blocked or gone). */
function serverStats (child, ms = 1_000) {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms)
    function done (stats) {
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(stats)
    }
    function onMessage (message) {
      if (message?.type === 'stats') done(message)
    }
    child.on('message', onMessage)
    try {
      child.send({ type: 'stats' })
    } catch {
      done(undefined)
    }
  })
}

/** Samples VmRSS and VmHWM (the kernel's own peak) every 50 ms; calls onLimit once past `limit`. */
function watchMemory (pid, limit, onLimit) {
  const memory = { current: 0, peak: 0 }
  let over = false
  function read () {
    let status
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8')
    } catch {
      return // gone
    }
    const kB = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
    memory.current = kB('VmRSS')
    memory.peak = Math.max(memory.peak, memory.current, kB('VmHWM'))
    if (memory.current > limit && !over) {
      over = true
      onLimit()
    }
  }
  read()
  const timer = setInterval(read, 50)
  return { memory, read, stop: () => clearInterval(timer) }
}

function startPingMonitor (port) {
  const worker = new Worker(pingMonitorScript, { workerData: { port } })
  let warm
  const warmedUp = new Promise(resolve => { warm = resolve })
  const report = new Promise(resolve => {
    worker.on('message', message => {
      if (message.type === 'answered' && message.count >= 5) warm()
      if (message.type === 'report') resolve(message)
    })
    worker.once('error', error => resolve({ error }))
    worker.once('exit', () => resolve(undefined))
  })
  return {
    warmedUp,
    reset: () => worker.postMessage({ type: 'reset' }),
    async stop () {
      worker.postMessage({ type: 'stop' })
      const result = await within(report, 2_000)
      await worker.terminate()
      if (result === undefined || result.error !== undefined) return undefined
      const { type, ...pings } = result
      return pings
    }
  }
}

// ---------------------------------------------------------------------------
// One attack, start to end

async function runAttack (attack) {
  const payload = attack.prepare()
  const result = { id: attack.id, title: attack.title, lived: true, exit: undefined, killedFor: undefined, worstPingMs: undefined, pings: undefined, rssBeforeBytes: 0, peakRssBytes: 0, seconds: 0, notes: [], checks: [] }
  const server = startServer(attack.serverEnv ?? {})
  result.serverPid = server.child.pid
  const cleanups = []
  let memoryWatch
  let monitor
  let ended = false
  /** Where each keyed note sits in result.notes (notes are only ever appended). */
  const notePlaces = new Map()
  try {
    const port = await server.listening
    memoryWatch = watchMemory(server.child.pid, rssLimitBytes, () => {
      result.killedFor ??= `RSS over the ${mb(rssLimitBytes)} guard`
      server.child.kill('SIGKILL')
    })
    monitor = startPingMonitor(port)
    const warm = await within(monitor.warmedUp.then(() => true), 10_000, false)
    if (!warm) throw new Error('the server did not answer 5 pings in 10 s')
    monitor.reset()
    memoryWatch.read()
    result.rssBeforeBytes = memoryWatch.memory.current

    const limit = new AbortController()
    const ctx = {
      port,
      wsUrl: `ws://127.0.0.1:${port}/rpc`,
      signal: limit.signal,
      // A note with a key replaces the last one with that key (progress that holds if the
      // attack is cut short). After the attack is judged, a run still going changes nothing.
      note (text, key) {
        if (ended) return
        if (key !== undefined && notePlaces.has(key)) {
          result.notes[notePlaces.get(key)] = text
          return
        }
        if (key !== undefined) notePlaces.set(key, result.notes.length)
        result.notes.push(text)
      },
      check (name, pass) {
        if (ended) return
        const existing = result.checks.find(check => check.name === name)
        if (existing === undefined) result.checks.push({ name, pass })
        else existing.pass = pass
      },
      onCleanup: fn => cleanups.push(fn),
      stats: () => serverStats(server.child),
      rss: () => { memoryWatch.read(); return memoryWatch.memory.current }
    }
    const started = performance.now()
    let timer
    const outcome = await Promise.race([
      attack.run(ctx, payload).then(() => 'done', error => { result.notes.push(`driver error: ${error.message}`); return 'done' }),
      new Promise(resolve => { timer = setTimeout(resolve, timeLimitMs, 'time limit') }),
      server.exited.then(() => 'exited')
    ])
    clearTimeout(timer)
    ended = true
    result.seconds = (performance.now() - started) / 1000
    limit.abort()
    // The pings go on 200 ms past the attack: a short attack is still watched by some,
    // and a server that is still busy with it (writing a huge answer, collecting garbage) shows.
    if (outcome === 'done') await sleep(200)
    result.pings = await monitor.stop()
    monitor = undefined
    memoryWatch.read()
    if (outcome === 'exited' && result.killedFor === undefined) result.notes.push('the server exited during the attack')
    if (outcome === 'time limit') {
      result.killedFor ??= `still running after the ${timeLimitMs / 1000} s limit`
      result.notes.push(`stopped at the ${timeLimitMs / 1000} s time limit`)
    }
  } catch (error) {
    result.notes.push(`harness: ${error.message}`)
    result.checks.push({ name: 'attack ran', pass: false })
  } finally {
    for (const cleanup of cleanups) {
      try { cleanup() } catch {}
    }
    if (monitor !== undefined) await monitor.stop()
    memoryWatch?.read()
    memoryWatch?.stop()
    result.peakRssBytes = memoryWatch?.memory.peak ?? 0
    // Whether it died before we end it: a crash, or our RSS guard.
    const alreadyGone = server.child.exitCode !== null || server.child.signalCode !== null
    if (!alreadyGone) server.child.kill('SIGKILL')
    const exit = await within(server.exited, 5_000, { code: null, signal: 'did not exit' })
    if (alreadyGone) {
      result.lived = false
      result.exit = exit.signal ?? `exit code ${exit.code}`
      const fatal = /FATAL ERROR[^\n]*|RangeError[^\n]*|Error:[^\n]*/.exec(server.stderr())?.[0]
      if (fatal !== undefined && result.killedFor === undefined) result.notes.push(`server stderr: ${fatal.trim()}`)
    }
  }
  result.worstPingMs = result.pings?.worstMs
  return judge(result)
}

/** The targets every attack shares, then the attack's own. */
function judge (result) {
  const pings = result.pings
  const shared = [
    { name: `ping answered within ${PING_TARGET_MS} ms`, pass: pings !== undefined && pings.failed === 0 && pings.unanswered === 0 && pings.worstMs <= PING_TARGET_MS },
    { name: `RSS under ${RSS_TARGET_MB} MB`, pass: result.peakRssBytes > 0 && result.peakRssBytes < RSS_TARGET_MB * MiB },
    { name: 'no crash', pass: result.lived },
    { name: 'ended within the time limit', pass: !(result.killedFor ?? '').startsWith('still running') }
  ]
  if (result.killedFor?.startsWith('RSS')) shared[2] = { name: 'no crash (not known: killed at the RSS guard)', pass: false }
  result.checks = [...shared, ...result.checks]
  result.missed = result.checks.filter(check => !check.pass).map(check => check.name)
  if (pings !== undefined && pings.refused > 0) {
    result.notes.push(`pings refused: ${Object.entries(pings.refusals).map(([reason, n]) => `${n}× ${reason}`).join(', ')}`)
  }
  return result
}

// ---------------------------------------------------------------------------
// Report

function lived (result) {
  if (result.killedFor?.startsWith('RSS')) return `killed (${result.killedFor})`
  if (!result.lived) return `**no** (${result.exit})`
  if (result.killedFor !== undefined) return `yes, killed: ${result.killedFor}`
  return 'yes'
}

function worstPing (result) {
  const pings = result.pings
  if (pings === undefined || pings.worstMs === undefined) return 'n/a'
  const ms = pings.worstMs >= 10_000 ? `${(pings.worstMs / 1000).toFixed(1)} s` : `${Math.round(pings.worstMs)} ms`
  const lost = pings.failed + pings.unanswered
  return lost > 0 ? `${ms} (${lost} of ${pings.sent} unanswered)` : `${ms} (${pings.sent} ${pings.sent === 1 ? 'ping' : 'pings'})`
}

function markdown (results) {
  const escape = (text) => String(text).replaceAll('|', '\\|')
  const lines = [
    `Attack run${args.quick ? ' (--quick sizes)' : ''}: targets ping <= ${PING_TARGET_MS} ms, RSS < ${RSS_TARGET_MB} MB, no crash; time limit ${timeLimitMs / 1000} s, RSS guard ${mb(rssLimitBytes)}.`,
    '',
    '| # | Attack | Worst ping wait | Peak RSS (before) | Lived | Targets | Notes |',
    '|---|---|---|---|---|---|---|'
  ]
  for (const r of results) {
    const targets = r.missed.length === 0 ? 'met' : `**missed**: ${r.missed.join('; ')}`
    lines.push(`| ${r.id} | ${escape(r.title)} | ${worstPing(r)} | ${mb(r.peakRssBytes)} (${mb(r.rssBeforeBytes)}) | ${escape(lived(r))} | ${escape(targets)} | ${escape(r.notes.join('; '))} |`)
  }
  return lines.join('\n')
}

function selected () {
  if (args.only === undefined) return ATTACKS
  const wanted = args.only.split(',').map(s => s.trim()).filter(Boolean)
  const picked = ATTACKS.filter(attack => wanted.some(w => attack.id === w || attack.id.replace(/[a-z]$/, '') === w))
  if (picked.length === 0) usage(`--only ${args.only} matches no attack (ids: ${ATTACKS.map(a => a.id).join(', ')})`)
  return picked
}

function killChildren () {
  for (const child of children) child.kill('SIGKILL')
}
process.on('exit', killChildren)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killChildren()
    process.exit(130)
  })
}

const results = []
for (const attack of selected()) {
  if (!args.json) console.error(`attack ${attack.id}: ${attack.title} ...`)
  const result = await runAttack(attack)
  if (!args.json) console.error(`  ${result.missed.length === 0 ? 'targets met' : `missed: ${result.missed.join('; ')}`} (${result.seconds.toFixed(1)} s)`)
  results.push(result)
}
const output = args.json
  ? JSON.stringify({ quick: args.quick, targets: { pingMs: PING_TARGET_MS, rssMB: RSS_TARGET_MB }, results }, null, 2)
  : markdown(results)
// Exit once the report is written: a client socket or timer of an attack cut short must not hold the run open.
process.stdout.write(output + '\n', () => process.exit(results.some(result => result.missed.length > 0) ? 1 : 0))
