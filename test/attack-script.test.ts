// Keeps `npm run attack` (bench/attack.mjs) from rotting: runs its quickest
// attack (2,000 instant pings on one WebSocket) end to end against the built
// plugin and checks the report is whole and consistent. It does not assert
// that the targets are met: the script's verdict is its own job (and before
// the hardening fixes it reports this attack as missed).
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'tap'

const script = join(__dirname, '..', 'bench', 'attack.mjs')

interface AttackResult {
  id: string
  lived: boolean
  serverPid: number
  worstPingMs: number
  pings: { sent: number, pongs: number, failed: number, unanswered: number }
  peakRssBytes: number
  rssBeforeBytes: number
  notes: string[]
  checks: Array<{ name: string, pass: boolean }>
  missed: string[]
}

function runAttackScript (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise(resolve => {
    // A plain environment: neither tap's TypeScript loader nor its coverage reach the script's processes.
    execFile(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })
    })
  })
}

function processExists (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test('npm run attack --quick --only 5 replays the ping burst and reports it whole', async t => {
  const { code, stdout, stderr } = await runAttackScript(['--quick', '--only', '5', '--json'])
  t.equal(stderr, '', 'nothing on stderr')
  const report = JSON.parse(stdout) as { quick: boolean, targets: { pingMs: number, rssMB: number }, results: AttackResult[] }
  t.equal(report.quick, true)
  t.same(report.targets, { pingMs: 100, rssMB: 300 })
  t.equal(report.results.length, 1, '--only 5 runs one attack')
  const [result] = report.results
  t.equal(result.id, '5')
  t.equal(result.lived, true, 'a burst of pings does not bring the server down')
  t.ok(result.pings.sent > 0 && result.pings.pongs > 0, 'the concurrent ping ran and was answered')
  t.ok(Number.isFinite(result.worstPingMs) && result.worstPingMs >= 0, 'worst ping wait measured')
  t.ok(result.rssBeforeBytes > 10 * 1024 * 1024, 'RSS read from /proc before the attack')
  t.ok(result.peakRssBytes >= result.rssBeforeBytes, 'peak RSS at least the RSS before')
  t.match(result.notes.join('; '), /answered \d+ of 2000/, 'the answers to the burst are counted')
  t.same(result.checks.map(check => check.name), [
    'ping answered within 100 ms', 'RSS under 300 MB', 'no crash', 'ended within the time limit',
    'every ping answered', 'socket stays open'
  ])
  t.same(result.missed, result.checks.filter(check => !check.pass).map(check => check.name))
  t.equal(code, result.missed.length === 0 ? 0 : 1, 'the exit code follows the verdict')
  t.equal(processExists(result.serverPid), false, 'the server under attack was killed at the end')
})

test('npm run attack refuses an --only that names no attack', async t => {
  const { code, stdout, stderr } = await runAttackScript(['--only', '9'])
  t.equal(code, 2)
  t.equal(stdout, '')
  t.match(stderr, /--only 9 matches no attack \(ids: 1a, 1b, 1c, 2, 3, 4, 5\)/)
})
