// npm run bench [-- options]: server CPU per request, req/s, p99 and peak RSS
// of this project against the hand-written Fastify route and its peers, each
// server a child process on core 1, autocannon here on core 0. Loopback only.
// Options: see usage() below and docs/benchmarks.md.
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { SERVERS } from './contenders.mjs'
import { writeSection } from './docs-section.mjs'
import { LOAD_CORE, checkAnswers, runHttpBench } from './http-bench.mjs'
import { renderMarkdown } from './report.mjs'
import { pinSelf } from './server-process.mjs'
import { evaluateTargets } from './targets.mjs'
import { WORKLOADS } from './workloads.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const FULL = { warmup: 2, rounds: 5, duration: 5, connections: 50, rate: 0 }
const QUICK = { warmup: 0.3, rounds: 3, duration: 0.5, connections: 50, rate: 0 }

function usage () {
  return `usage: npm run bench -- [options]
  --quick               warm-up ${QUICK.warmup} s, ${QUICK.rounds} rounds of ${QUICK.duration} s (default: ${FULL.warmup} s, ${FULL.rounds} rounds of ${FULL.duration} s)
  --only a,b            these workloads only: ${WORKLOADS.map(w => w.key).join(', ')}
  --servers a,b         these servers only: ${SERVERS.map(s => s.key).join(', ')}
  --json                print the results as JSON (progress goes to stderr either way)
  --write               put the results in docs/benchmarks.md, between its bench markers (whole runs only)
  --docs FILE           the page --write updates (default docs/benchmarks.md)
  --check               only check every server's answer to every workload, time nothing
  --rounds N, --duration S, --warmup S, --connections N   override the settings
  --rate N              at most N requests per second per server (default: as fast as it answers)
  --in-process          dispatch without HTTP, against the peers' own dispatch (--quick applies)`
}

function fail (message) {
  console.error(`${message}\n\n${usage()}`)
  process.exit(2)
}

function pickByKey (list, wanted, what) {
  if (wanted === undefined) return list
  const keys = wanted.split(',').map(key => key.trim()).filter(key => key !== '')
  const unknown = keys.filter(key => !list.some(item => item.key === key))
  if (unknown.length > 0 || keys.length === 0) fail(`unknown ${what}: ${unknown.join(', ') || '(none given)'}`)
  // Keep the table's order, whatever order they were named in.
  return list.filter(item => keys.includes(item.key))
}

function positive (text, name, integer) {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) fail(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`)
  return value
}

let parsed
try {
  parsed = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      servers: { type: 'string' },
      json: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      docs: { type: 'string', default: 'docs/benchmarks.md' },
      check: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  }).values
} catch (error) {
  fail(error.message)
}
const args = parsed
if (args.help) {
  console.log(usage())
  process.exit(0)
}

if (args['in-process']) {
  if (args.json || args.write || args.check) fail('--in-process prints its own table: --json, --write and --check do not apply')
  const { runInProcess } = await import('./in-process.mjs')
  await runInProcess({ quick: args.quick })
  process.exit(0)
}

const workloads = pickByKey(WORKLOADS, args.only, 'workload')
const servers = pickByKey(SERVERS, args.servers, 'server')
// A partial table in the docs would read as the whole picture.
if (args.write && (args.only !== undefined || args.servers !== undefined)) fail('--write records whole runs only: drop --only and --servers')
if (args.write && args.check) fail('--check times nothing: there is nothing to --write')
const base = args.quick ? QUICK : FULL
const settings = {
  warmup: args.warmup === undefined ? base.warmup : positive(args.warmup, 'warmup', false),
  rounds: args.rounds === undefined ? base.rounds : positive(args.rounds, 'rounds', true),
  duration: args.duration === undefined ? base.duration : positive(args.duration, 'duration', false),
  connections: args.connections === undefined ? base.connections : positive(args.connections, 'connections', true),
  rate: args.rate === undefined ? base.rate : positive(args.rate, 'rate', true)
}

const log = message => console.error(message)
const argv = process.argv.slice(2).join(' ')
const machine = {
  cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
  cores: os.cpus().length,
  platform: `${os.type()} ${os.arch()}`,
  node: process.version,
  loadAverage: os.loadavg(),
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  command: process.env.npm_lifecycle_event === 'bench' ? `npm run bench${argv === '' ? '' : ` -- ${argv}`}` : `node bench/run.mjs ${argv}`.trim()
}

const pinned = pinSelf(LOAD_CORE)
if (!pinned) log('taskset not found (util-linux): autocannon and the servers share the cores, figures are less reliable')

try {
  if (args.check) {
    const checks = await checkAnswers({ servers, workloads, pinned, log })
    if (args.json) console.log(JSON.stringify({ checks }, null, 2))
    else for (const c of checks) console.log(`${c.ok ? 'ok ' : 'n/a'}  ${c.workload} / ${c.server}${c.refusalChecked ? ' (invalid input refused)' : ''}${c.unsupported ? `: ${c.unsupported}` : ''}`)
  } else {
    const cells = workloads.length * servers.length
    log(`fastify-jsonrpc benchmark: ${workloads.length} workloads x ${servers.length} servers; per cell ${settings.rounds} fresh processes, each ${settings.warmup} s warm-up + ${settings.duration} s measured (about ${Math.ceil(cells * settings.rounds * (settings.warmup + settings.duration + 0.7) / 60)} min)`)
    const run = await runHttpBench({ servers, workloads, settings, pinned, log })
    const targets = evaluateTargets(run)
    const markdown = renderMarkdown({ run, targets, servers, settings, machine, pinned, quick: args.quick })
    if (args.json) {
      console.log(JSON.stringify({ machine, settings, pinned, quick: args.quick, servers: servers.map(({ key, label }) => ({ key, label })), ...run, targets }, null, 2))
    } else {
      console.log(markdown)
    }
    if (args.write) {
      const file = join(root, args.docs)
      writeSection(file, markdown)
      log(`wrote the results to ${args.docs}`)
    }
  }
} catch (error) {
  console.error(`benchmark failed: ${error.message}`)
  process.exit(1)
}
