// Renders a run as Markdown: printed by `npm run bench` and, with --write,
// put between the markers in docs/benchmarks.md.
import { GOALS, PEERS, RSS_GOAL, goalFor } from './targets.mjs'

const MB = 1024 * 1024
/** Above this spread between rounds a figure is flagged. */
export const NOISY_SPREAD = 0.10
/** A 1-minute load average above this at the start means the machine was busy. */
const BUSY_LOAD = 0.5

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const micros = n => fmt(n, n < 100 ? 1 : 0)
const percent = n => `${fmt(n * 100, 0)}%`
const ratio = n => `${fmt(n, 2)}x`
const row = cells => `| ${cells.join(' | ')} |`

function table (header, rows) {
  return [row(header), row(header.map((_, i) => i === 0 ? '---' : '--:')), ...rows.map(row)].join('\n')
}

/** Numbers each distinct n/a reason once, so cells can point to it. */
function footnotes () {
  const reasons = []
  return {
    mark (reason) {
      let index = reasons.indexOf(reason)
      if (index === -1) index = reasons.push(reason) - 1
      return `n/a (${index + 1})`
    },
    render: () => reasons.map((reason, i) => `(${i + 1}) ${reason}.`).join(' ')
  }
}

function describeSettings ({ settings, machine, pinned, quick }) {
  const lines = [
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.platform}; Node ${machine.node}; load average at start ${machine.loadAverage.map(n => fmt(n, 2)).join(' / ')}`,
    `- Date: ${machine.date}`,
    `- Command: \`${machine.command}\``,
    `- Method: ${pinned ? 'each server in its own process on core 1, autocannon on core 0 (taskset)' : 'NOT pinned (taskset missing): servers and autocannon share the cores'}; ` +
      `${settings.connections} connections, no pipelining, ${settings.rate > 0 ? `at most ${fmt(settings.rate)} requests per second` : 'as fast as each server answers'}; ${settings.rounds} alternating round${settings.rounds === 1 ? '' : 's'} per workload, ` +
      `each a fresh server process warmed up for ${settings.warmup} s (not measured), then measured for ${settings.duration} s; medians. CPU per request is the server process's own CPU time ` +
      '(user + system, all its threads, from `process.cpuUsage()`) over a round, divided by the requests it answered; a batch is one request.'
  ]
  const warnings = []
  if (quick) warnings.push('**Quick run**: it checks that the harness works; figures pending a run on an idle machine.')
  if (machine.loadAverage[0] > BUSY_LOAD) warnings.push(`**The machine was busy at the start** (load average ${fmt(machine.loadAverage[0], 2)}): these figures do not compare with a run on an idle machine.`)
  return [...(warnings.length > 0 ? [warnings.map(w => `> ${w}`).join('\n>\n'), ''] : []), ...lines].join('\n')
}

/** The run as Markdown (headings at level 3). */
export function renderMarkdown ({ run, targets, servers, settings, machine, pinned, quick }) {
  const notes = footnotes()
  const serverHeader = ['workload', ...servers.map(s => s.label)]
  const peers = PEERS.filter(key => servers.some(s => s.key === key))
  const label = key => servers.find(s => s.key === key).label

  const cpuRows = run.workloads.map(workload => [workload.name, ...servers.map(server => {
    const cell = workload.cells[server.key]
    if (cell.unsupported !== undefined) return notes.mark(cell.unsupported)
    const noisy = cell.cpuSpread > NOISY_SPREAD ? ' noisy' : ''
    return `${micros(cell.cpuMicrosPerRequest)} (${percent(cell.cpuSpread)}${noisy})`
  })])
  cpuRows.push(['peak RSS over the run', ...servers.map(server => `${fmt(run.peakRss[server.key] / MB, 0)} MB`)])

  const loadRows = run.workloads.map(workload => [workload.name, ...servers.map(server => {
    const cell = workload.cells[server.key]
    if (cell.unsupported !== undefined) return notes.mark(cell.unsupported)
    return `${fmt(cell.requestsPerSecond)} req/s, p99 ${fmt(cell.p99Ms, cell.p99Ms < 10 ? 1 : 0)} ms, ${fmt(cell.peakRss / MB, 0)} MB`
  })])

  /** The ratios against the targets; built only when shown, so its n/a reasons are footnoted only then. */
  function ratioSection () {
    if (peers.length === 0 || !servers.some(s => s.key === 'ours')) return ['No ratios: the run needs fastify-jsonrpc and at least one peer.', '']
    const targetCell = cell => cell.na !== undefined
      ? notes.mark(cell.na)
      : `${ratio(cell.ratio)} (goal <= ${fmt(cell.max, 2)}x) ${cell.met ? 'met' : '**not met**'}`
    const ratioRows = targets.rows.map(r => [r.name, ...peers.map(peer => targetCell(r.cells[peer]))])
    ratioRows.push(['peak RSS over the run', ...peers.map(peer => peer === 'hand' ? targetCell(targets.rss) : '')])
    const judged = [...targets.rows.flatMap(r => peers.map(peer => r.cells[peer])), ...(peers.includes('hand') ? [targets.rss] : [])]
      .filter(cell => cell.na === undefined)
    const met = judged.filter(cell => cell.met).length

    const relevant = new Set([...run.workloads.flatMap(w => peers.map(peer => goalFor(w.key, peer))), ...(peers.includes('hand') ? [RSS_GOAL] : [])])
    const goals = Object.values(GOALS).filter(goal => relevant.has(goal)).map(goal => goal.says)
    return [
      `fastify-jsonrpc's CPU per request divided by each peer's, in this run (under 1: this project spends less). ${met} of ${judged.length} targets met. ` +
        `The goals: ${goals.join('; ')}.`,
      '',
      table(['workload', ...peers.map(peer => `ours / ${label(peer)}`)], ratioRows),
      ''
    ]
  }

  return [
    describeSettings({ settings, machine, pinned, quick }),
    '',
    '### Server CPU per request',
    '',
    'Microseconds of server CPU per request, median of the rounds (the spread between rounds, (max - min) / median, in brackets; "noisy" above 10 %).',
    '',
    table(serverHeader, cpuRows),
    '',
    '### Against the targets (issue 16)',
    '',
    ...ratioSection(),
    '### Throughput, latency and memory',
    '',
    'Median answers per second and p99 latency of the rounds, and the peak RSS seen while the workload ran (sampled every 100 ms).',
    '',
    table(serverHeader, loadRows),
    ...(notes.render() === '' ? [] : ['', notes.render()])
  ].join('\n')
}
