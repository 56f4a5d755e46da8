import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'tap'

/**
 * The benchmark harness (bench/run.mjs), run as users run it, on the built
 * project (`npm test` builds first): its servers must answer what they are
 * timed on, and a run must report every figure it promises. Nothing here
 * asserts a speed: the timed run is a tiny one to prove the pipeline.
 */

const ROOT = join(__dirname, '..')
const RUN = join(ROOT, 'bench', 'run.mjs')

interface Outcome { code: number | null, stdout: string, stderr: string }

function bench (args: string[], timeoutMs = 90_000): Promise<Outcome> {
  return new Promise(resolve => {
    execFile(process.execPath, [RUN, ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, stdout, stderr })
    })
  })
}

const WORKLOAD_KEYS = ['single-positional', 'single-by-name', 'notification', 'batch-10', 'batch-100', 'items-100', 'async', 'validated-object']
const SERVER_KEYS = ['ours', 'ours-notel', 'ours-otel', 'hand', 'jayson', 'jsonrpc2', 'trpc']

test('every bench server answers every workload as checked, and refuses the invalid inputs', async t => {
  const { code, stdout, stderr } = await bench(['--check', '--json'])
  t.equal(code, 0, stderr)
  const { checks } = JSON.parse(stdout) as { checks: Array<{ workload: string, server: string, ok?: boolean, refusalChecked?: boolean, unsupported?: string }> }
  t.equal(checks.length, WORKLOAD_KEYS.length * SERVER_KEYS.length)
  for (const workload of WORKLOAD_KEYS) {
    for (const server of SERVER_KEYS) {
      const check = checks.find(c => c.workload === workload && c.server === server)
      if (server === 'trpc' && workload === 'notification') {
        t.equal(check?.unsupported, 'tRPC has no notifications: every call is answered', 'tRPC notification is n/a, with the reason')
        continue
      }
      t.equal(check?.ok, true, `${server} answers ${workload}`)
      const refusal = workload === 'single-positional' || workload === 'validated-object'
      t.equal(check?.refusalChecked, refusal, `${server} ${refusal ? 'refuses' : 'has no'} invalid input for ${workload}`)
    }
  }
})

test('a timed run reports CPU per request, req/s, p99 and RSS per cell, n/a with a reason, and ratios against the targets', async t => {
  const { code, stdout, stderr } = await bench([
    '--json', '--only', 'single-positional,notification', '--servers', 'ours,hand,trpc',
    '--rounds', '1', '--duration', '0.5', '--warmup', '0.2', '--connections', '2'
  ])
  t.equal(code, 0, stderr)
  const result = JSON.parse(stdout)
  t.same(result.settings, { warmup: 0.2, rounds: 1, duration: 0.5, connections: 2, rate: 0 })
  t.equal(result.machine.node, process.version)
  t.match(result.machine.command, /bench\/run\.mjs --json --only single-positional,notification/)
  t.same(result.servers.map((s: { key: string }) => s.key), ['ours', 'hand', 'trpc'])
  t.same(result.workloads.map((w: { key: string }) => w.key), ['single-positional', 'notification'])

  for (const workload of result.workloads) {
    for (const server of ['ours', 'hand', 'trpc']) {
      const cell = workload.cells[server]
      if (server === 'trpc' && workload.key === 'notification') {
        t.same(cell, { unsupported: 'tRPC has no notifications: every call is answered' })
        continue
      }
      t.ok(Number.isFinite(cell.cpuMicrosPerRequest) && cell.cpuMicrosPerRequest > 0, `${server} ${workload.key}: CPU per request`)
      t.ok(cell.requestsPerSecond > 0, `${server} ${workload.key}: req/s`)
      t.ok(Number.isFinite(cell.p99Ms), `${server} ${workload.key}: p99`)
      t.ok(cell.peakRss > 10 * 1024 * 1024, `${server} ${workload.key}: RSS`)
      t.equal(cell.rounds.length, 1)
      t.ok(cell.rounds[0].answered > 0)
    }
  }
  for (const server of ['ours', 'hand', 'trpc']) t.ok(result.peakRss[server] > 10 * 1024 * 1024, `${server}: peak RSS of the run`)

  const [single, notification] = result.targets.rows
  const cpu = (w: any, s: string): number => w.cells[s].cpuMicrosPerRequest
  t.equal(single.cells.hand.ratio, cpu(result.workloads[0], 'ours') / cpu(result.workloads[0], 'hand'), 'ratio is ours / hand-written')
  t.equal(single.cells.hand.max, 1.03, 'single calls: at most 1.03x the hand-written route')
  t.equal(single.cells.hand.met, single.cells.hand.ratio <= 1.03)
  t.equal(notification.cells.hand.max, 1.05, 'other workloads: at most 1.05x')
  t.equal(single.cells.trpc.max, 0.2, 'at least 5x cheaper than tRPC')
  t.same(notification.cells.trpc, { na: 'tRPC has no notifications: every call is answered' })
  t.same(single.cells.jayson, { na: 'not run' })
  t.equal(result.targets.rss.ratio, result.peakRss.ours / result.peakRss.hand)
})

test('bad options are refused with the usage, before any server starts', async t => {
  const unknownWorkload = await bench(['--only', 'nope'])
  t.equal(unknownWorkload.code, 2)
  t.match(unknownWorkload.stderr, /unknown workload: nope/)
  t.match(unknownWorkload.stderr, /usage: npm run bench/)

  const partialWrite = await bench(['--write', '--servers', 'ours,hand'])
  t.equal(partialWrite.code, 2)
  t.match(partialWrite.stderr, /--write records whole runs only/)

  const unknownFlag = await bench(['--fast'])
  t.equal(unknownFlag.code, 2)
  t.match(unknownFlag.stderr, /Unknown option '--fast'/)

  const badRounds = await bench(['--rounds', '0'])
  t.equal(badRounds.code, 2)
  t.match(badRounds.stderr, /--rounds must be a positive integer, got 0/)
})

test('the generated section replaces only what lies between its marker lines', async t => {
  const script = `
    import { replaceSection } from ${JSON.stringify(new URL(`file://${join(ROOT, 'bench', 'docs-section.mjs')}`).href)}
    const page = '# Benchmarks\\n\\nQuoted in prose: \`<!-- bench:start -->\`.\\n\\n<!-- bench:start -->\\nold figures\\n<!-- bench:end -->\\n\\n## After\\n'
    const once = replaceSection(page, 'new figures')
    const outcomes = { once, again: replaceSection(once, 'new figures') === once, appended: replaceSection('# Page\\n', 'figures') }
    try { replaceSection('<!-- bench:end -->\\n<!-- bench:start -->\\n', 'x') } catch (error) { outcomes.reversed = error.message }
    console.log(JSON.stringify(outcomes))
  `
  const outcome = await new Promise<Outcome>(resolve => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : 1, stdout, stderr })
    })
  })
  t.equal(outcome.code, 0, outcome.stderr)
  const { once, again, appended, reversed } = JSON.parse(outcome.stdout)
  const notice = '<!-- Generated by `npm run bench -- --write`: edits between these markers are overwritten. -->'
  t.equal(once, `# Benchmarks\n\nQuoted in prose: \`<!-- bench:start -->\`.\n\n<!-- bench:start -->\n${notice}\n\nnew figures\n\n<!-- bench:end -->\n\n## After\n`)
  t.equal(again, true, 'writing the same figures twice changes nothing')
  t.equal(appended, `# Page\n\n<!-- bench:start -->\n${notice}\n\nfigures\n\n<!-- bench:end -->\n`, 'a page without markers gets the section at its end')
  t.equal(reversed, 'expected one line <!-- bench:start --> followed by one line <!-- bench:end -->')
})
