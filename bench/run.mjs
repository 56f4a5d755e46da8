// npm run bench [-- --quick] [-- --in-process]
//
// Starts each server as its own child process pinned to core 1, drives it
// with autocannon from this process pinned to core 0, alternating servers
// over several rounds, and prints medians, spreads and ratios. Loopback only.
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { WORKLOADS } from './fixtures.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')

const LOAD_CORE = '0'
const SERVER_CORE = '1'
const NOISY_SPREAD = 0.10

function hasTaskset () {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export function pinSelf (core) {
  if (!hasTaskset()) {
    console.warn('taskset not found (util-linux): load generator and servers share cores, figures are less reliable')
    return false
  }
  execFileSync('taskset', ['-pc', core, String(process.pid)], { stdio: 'ignore' })
  return true
}

if (args.has('--in-process')) {
  const { runInProcess } = await import('./in-process.mjs')
  await runInProcess({ quick })
  process.exit(0)
}

const SERVERS = [
  { key: 'ours', label: 'fastify-jsonrpc (this)', script: 'servers/ours.mjs' },
  { key: 'limit', label: 'hand-written Fastify', script: 'servers/hand-written.mjs' },
  { key: 'jayson', label: 'jayson http', script: 'servers/jayson.mjs' },
  { key: 'jsonrpc2', label: 'json-rpc-2.0 on Fastify', script: 'servers/json-rpc-2.0.mjs' }
]

const settings = quick
  ? { rounds: 2, duration: 1, warmup: 0.5, connections: 16 }
  : { rounds: 3, duration: 3, warmup: 0.5, connections: 16 }

function startServer (server, pinned) {
  const command = pinned ? 'taskset' : process.execPath
  const argv = pinned ? ['-c', SERVER_CORE, process.execPath, join(here, server.script)] : [join(here, server.script)]
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`${server.label} did not start within 15 s`)), 15000)
    child.once('exit', code => reject(new Error(`${server.label} exited with ${code} before listening`)))
    child.stdout.on('data', chunk => {
      output += chunk
      const match = /LISTENING (\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        child.removeAllListeners('exit')
        resolve({ ...server, child, url: `http://127.0.0.1:${match[1]}/rpc` })
      }
    })
  })
}

/** Resident set size of the server process (its node child when started through taskset, which execs). */
function rssBytes (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  return match ? Number(match[1]) * 1024 : NaN
}

async function verify (server, workload) {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(workload.message) })
  const text = await response.text()
  const body = text === '' ? undefined : JSON.parse(text)
  if (!workload.check(response.status, body)) {
    throw new Error(`${server.label} answers "${workload.name}" wrongly: ${response.status} ${text.slice(0, 200)}`)
  }
}

async function load (server, workload, seconds) {
  let peakRss = rssBytes(server.child.pid)
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssBytes(server.child.pid)) }, 100)
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(workload.message),
    connections: settings.connections,
    pipelining: 1,
    duration: seconds
  })
  clearInterval(sampler)
  const bad = result.errors + result.timeouts + result.non2xx
  if (bad > 0) throw new Error(`${server.label} on "${workload.name}": ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`)
  return { rps: result.requests.average, p99: result.latency.p99, rss: peakRss }
}

const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const spreadOf = values => (Math.max(...values) - Math.min(...values)) / median(values)
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const pad = (text, width) => String(text).padEnd(width)
const padStart = (text, width) => String(text).padStart(width)

async function main () {
  const pinned = pinSelf(LOAD_CORE)
  console.log(`fastify-jsonrpc benchmark: node ${process.version}, ${quick ? 'quick' : 'full'} run, ${settings.rounds} rounds x ${settings.duration} s per server and workload, ${settings.connections} connections`)
  console.log(pinned ? `autocannon on core ${LOAD_CORE}, each server on core ${SERVER_CORE} (taskset)` : 'not pinned')
  const servers = []
  try {
    for (const server of SERVERS) servers.push(await startServer(server, pinned))
    for (const workload of WORKLOADS) for (const server of servers) await verify(server, workload)
    console.log('all servers answer every workload correctly; warming up')
    for (const workload of WORKLOADS) for (const server of servers) await load(server, workload, settings.warmup)

    const samples = new Map() // `${workload}|${server}` -> [{ rps, p99, rss }]
    for (let round = 0; round < settings.rounds; round++) {
      for (const workload of WORKLOADS) {
        // Rotate the order each round so no server always runs first or last.
        const order = servers.map((_, i) => servers[(i + round) % servers.length])
        for (const server of order) {
          const key = `${workload.name}|${server.key}`
          const sample = await load(server, workload, settings.duration)
          samples.set(key, [...(samples.get(key) ?? []), sample])
        }
      }
      process.stdout.write(`round ${round + 1}/${settings.rounds} done\n`)
    }
    report(samples, servers)
  } finally {
    for (const server of servers) server.child.kill()
  }
}

function report (samples, servers) {
  const summary = {}
  for (const workload of WORKLOADS) {
    console.log(`\n## ${workload.name}`)
    console.log(`${pad('server', 26)}${padStart('req/s', 10)}${padStart('spread', 9)}${padStart('p99 ms', 9)}${padStart('RSS MB', 9)}`)
    const row = {}
    for (const server of servers) {
      const runs = samples.get(`${workload.name}|${server.key}`)
      const rps = median(runs.map(r => r.rps))
      const spread = spreadOf(runs.map(r => r.rps))
      const p99 = median(runs.map(r => r.p99))
      const rss = median(runs.map(r => r.rss))
      row[server.key] = { rps, spread, p99, rss }
      const noisy = spread > NOISY_SPREAD ? '  NOISY' : ''
      // A leading space keeps columns apart even when a figure outgrows its width.
      console.log(`${pad(server.label, 26)}${padStart(fmt(rps), 10)}${' ' + padStart(fmt(spread * 100, 1) + '%', 8)}${' ' + padStart(fmt(p99, 1), 8)}${' ' + padStart(fmt(rss / 1048576, 1), 8)}${noisy}`)
    }
    const noisy = k => row[k].spread > NOISY_SPREAD || row.ours.spread > NOISY_SPREAD ? ' (noisy)' : ''
    console.log(`ours / hand-written: ${fmt(row.ours.rps / row.limit.rps, 2)}x${noisy('limit')}   ours / jayson: ${fmt(row.ours.rps / row.jayson.rps, 2)}x${noisy('jayson')}   ours / json-rpc-2.0: ${fmt(row.ours.rps / row.jsonrpc2.rps, 2)}x${noisy('jsonrpc2')}   RSS ours / hand-written: ${fmt(row.ours.rss / row.limit.rss, 2)}x`)
    summary[workload.name] = row
  }

  const ratio = (w, k) => summary[w].ours.rps / summary[w][k].rps
  const maxRssRatio = Math.max(...WORKLOADS.map(w => summary[w.name].ours.rss / summary[w.name].limit.rss))
  const targets = [
    ['single positional >= 0.95x hand-written', ratio('single positional', 'limit'), 0.95],
    ['batch of 100 >= 1.2x hand-written', ratio('batch of 100', 'limit'), 1.2],
    ['batch of 100 >= 2x jayson', ratio('batch of 100', 'jayson'), 2],
    ['batch of 100 >= 2x json-rpc-2.0', ratio('batch of 100', 'jsonrpc2'), 2],
    ['100 objects with result schema >= 1.3x hand-written JSON.stringify', ratio('100 objects', 'limit'), 1.3]
  ]
  console.log('\n## issue 3 targets (ratios from this run)')
  for (const [name, value, goal] of targets) console.log(`${value >= goal ? 'met    ' : 'NOT MET'}  ${name}: ${fmt(value, 2)}x`)
  console.log(`${maxRssRatio <= 1.2 ? 'met    ' : 'NOT MET'}  RSS <= 1.2x hand-written (worst workload): ${fmt(maxRssRatio, 2)}x`)
  console.log('in-process dispatch target: run `npm run bench -- --in-process`')
}

await main()
