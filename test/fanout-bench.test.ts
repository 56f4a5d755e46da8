import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'tap'
import { skipWithoutRedis } from './helpers/redis-server'

/**
 * The fan-out benchmark (bench/fanout.mjs), run as users run it on the built
 * project (`npm test` builds first), tiny: a real redis-server, two real server
 * processes and 20 real WebSocket subscribers. It must deliver everything and
 * report every figure it promises; nothing here asserts a speed.
 */

const ROOT = join(__dirname, '..')
const FANOUT = join(ROOT, 'bench', 'fanout.mjs')

interface Outcome { code: number | null, stdout: string, stderr: string }

function fanout (args: string[]): Promise<Outcome> {
  return new Promise(resolve => {
    execFile(process.execPath, [FANOUT, ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, stdout, stderr })
    })
  })
}

const isFiniteNonNegative = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0

test('a small fan-out run delivers every notification to every subscriber and reports latency, CPU and memory', { skip: skipWithoutRedis, timeout: 90_000 }, async t => {
  const { code, stdout, stderr } = await fanout(['--json', '--subscribers', '20', '--notifications', '5', '--gap', '5'])
  t.equal(code, 0, stderr)
  const result = JSON.parse(stdout)
  t.same(result.settings, { subscribers: 20, notifications: 5, gapMs: 5 })
  t.equal(result.machine.node, process.version)
  t.match(result.machine.command, /bench\/fanout\.mjs --json --subscribers 20 --notifications 5/)
  t.equal(result.closedSubscribers, 0, 'no subscriber was closed by a server')
  t.same(result.warmup, { delivered: 20 * 20, lost: 0, outOfOrder: 0, duplicates: 0 }, 'the warm-up delivered everything too')
  t.same(result.runs.map((run: { key: string }) => run.key), ['paced', 'burst'])
  for (const run of result.runs) {
    t.equal(run.expected, 100, `${run.key}: 20 subscribers x 5 notifications expected`)
    t.equal(run.delivered, 100, `${run.key}: every one delivered`)
    t.equal(run.lost, 0, `${run.key}: none lost`)
    t.equal(run.duplicates, 0, `${run.key}: none twice`)
    t.equal(run.outOfOrder, 0, `${run.key}: in publishing order`)
    t.equal(run.incompleteSubscribers, 0, `${run.key}: no subscriber short`)
    const { p50, p95, p99, max } = run.latencyMs
    t.ok([p50, p95, p99, max].every(isFiniteNonNegative), `${run.key}: latencies measured (${JSON.stringify(run.latencyMs)})`)
    t.ok(p50 <= p95 && p95 <= p99 && p99 <= max, `${run.key}: percentiles in order`)
    t.ok(run.publishRate > 0, `${run.key}: a publish rate`)
    t.same(Object.keys(run.cpuMs).sort(), ['redis', 'server1', 'server2', 'subscribers'], `${run.key}: CPU time of every process`)
    t.ok(Object.values(run.cpuMs).every(isFiniteNonNegative), `${run.key}: CPU times are numbers`)
  }
  t.same(result.memory.map((m: { process: string }) => m.process), ['server 1 (publishes)', 'server 2', 'redis-server'])
  for (const m of result.memory) {
    if (process.platform !== 'linux') continue
    t.ok(m.idleRss > 0 && m.joinedRss > 0 && m.peakRss >= m.joinedRss, `${m.process}: RSS before, with subscribers and peak (${JSON.stringify(m)})`)
  }
})

test('the fan-out benchmark prints a Markdown report by default', { skip: skipWithoutRedis, timeout: 90_000 }, async t => {
  const { code, stdout, stderr } = await fanout(['--subscribers', '4', '--notifications', '2', '--gap', '0'])
  t.equal(code, 0, stderr)
  t.match(stdout, /\| run \| publish rate \| delivered \/ expected \| lost \| out of order \| duplicates \| p50 \| p95 \| p99 \| max \|/)
  t.match(stdout, /\| paced, 1 every 0 ms \| \d+\/s \| 8 \/ 8 \| 0 \| 0 \| 0 \|/)
  t.match(stdout, /\| back to back \(each publish awaited\) \| \d+\/s \| 8 \/ 8 \| 0 \| 0 \| 0 \|/)
  t.match(stdout, /\| redis-server \| [\d.]+ MiB \| [\d.]+ MiB \| [\d.]+ MiB \|/)
  t.match(stderr, /joining 4 subscribers/, 'progress goes to stderr')
})

test('the fan-out benchmark refuses invalid options with exit status 2 and its usage', async t => {
  for (const args of [['--subscribers', '1'], ['--notifications', '0'], ['--gap', '-1'], ['--subscribers', 'many'], ['--unknown']]) {
    const { code, stdout, stderr } = await fanout(args)
    t.equal(code, 2, `${args.join(' ')} is refused`)
    t.equal(stdout, '', 'nothing on stdout')
    t.match(stderr, /usage: npm run bench:fanout/, 'with the usage')
  }
})
