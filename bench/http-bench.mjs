// The HTTP benchmark: every server in its own process on one core, autocannon
// in this process on the other; answers checked first, then per workload a
// warm-up that is not measured and alternating rounds, summarised as medians.
import { startServer } from './server-process.mjs'
import { drive, verify } from './measure.mjs'
import { requestFor } from './workloads.mjs'

export const LOAD_CORE = 0
export const SERVER_CORE = 1

export const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** (max - min) / median: how far apart the rounds were. */
export const spread = values => (Math.max(...values) - Math.min(...values)) / median(values)

async function startAll (servers, pinned, log) {
  const started = []
  try {
    for (const server of servers) {
      started.push(await startServer(server, { core: pinned ? SERVER_CORE : undefined }))
      log(`started ${server.label}`)
    }
    return started
  } catch (error) {
    for (const server of started) server.stop()
    throw error
  }
}

/**
 * Checks every server's answer to every workload, and that it refuses the
 * workload's invalid input where there is one; returns which cells are n/a and why.
 */
async function verifyAll (running, workloads) {
  const checks = []
  for (const workload of workloads) {
    for (const server of running) {
      const request = requestFor(workload, server)
      if (request.unsupported !== undefined) {
        checks.push({ workload: workload.key, server: server.key, unsupported: request.unsupported })
        continue
      }
      await verify(server, workload.name, request)
      if (request.refusal !== undefined) await verify(server, `${workload.name}, invalid input`, request.refusal)
      checks.push({ workload: workload.key, server: server.key, ok: true, refusalChecked: request.refusal !== undefined })
    }
  }
  return checks
}

/** Starts the servers, checks every answer, stops them. */
export async function checkAnswers ({ servers, workloads, pinned, log }) {
  const running = await startAll(servers, pinned, log)
  try {
    return await verifyAll(running, workloads)
  } finally {
    await Promise.all(running.map(server => server.stop()))
  }
}

function summarise (rounds) {
  const pick = name => rounds.map(sample => sample[name])
  return {
    cpuMicrosPerRequest: median(pick('cpuMicrosPerRequest')),
    cpuSpread: spread(pick('cpuMicrosPerRequest')),
    requestsPerSecond: median(pick('requestsPerSecond')),
    p99Ms: median(pick('p99Ms')),
    peakRss: Math.max(...pick('peakRss')),
    rounds
  }
}

/**
 * Runs the benchmark. `settings`: { warmup, rounds, duration (seconds), connections, rate (req/s, 0 for unlimited) }.
 * Returns per workload and server the medians (or the reason a cell is n/a),
 * and per server the peak RSS over all its processes.
 *
 * Every round of every server is a fresh process, warmed up on the workload
 * before it is measured: the same server started twice can settle in two
 * states that differ by a tenth of its CPU per request (V8's inline caches
 * and code layout depend on the order things happened at start-up; see
 * docs/benchmarks.md), so one process per server would make a ratio a coin
 * toss. The median of several processes is not.
 */
export async function runHttpBench ({ servers, workloads, settings, pinned, log }) {
  const checks = await checkAnswers({ servers, workloads, pinned, log })
  log(`every server answers every workload correctly (${checks.filter(c => c.ok).length} answers checked)`)
  const peakRss = Object.fromEntries(servers.map(server => [server.key, 0]))
  const results = []
  for (const workload of workloads) {
    const cells = {}
    const timed = []
    for (const server of servers) {
      const request = requestFor(workload, server)
      if (request.unsupported !== undefined) cells[server.key] = { unsupported: request.unsupported }
      else timed.push({ server, request, rounds: [] })
    }
    for (let round = 0; round < settings.rounds; round++) {
      // Rotate the order each round so no server always runs first or last.
      for (let i = 0; i < timed.length; i++) {
        const entry = timed[(i + round) % timed.length]
        entry.rounds.push(await measureFreshProcess(entry.server, workload.name, entry.request, settings, pinned, peakRss))
      }
    }
    for (const { server, rounds } of timed) cells[server.key] = summarise(rounds)
    results.push({ key: workload.key, name: workload.name, cells })
    log(`${workload.name}: done`)
  }
  return { workloads: results, peakRss }
}

/** One round: a new process of `server`, warmed up on the workload (a cold server spends its first seconds compiling), then measured. */
async function measureFreshProcess (server, workloadName, request, settings, pinned, peakRss) {
  const running = await startServer(server, { core: pinned ? SERVER_CORE : undefined })
  try {
    const load = { connections: settings.connections, rate: settings.rate }
    await drive(running, workloadName, request, { ...load, seconds: settings.warmup, warmup: true })
    const sample = await drive(running, workloadName, request, { ...load, seconds: settings.duration })
    peakRss[server.key] = Math.max(peakRss[server.key], (await running.usage()).peakRss)
    return sample
  } finally {
    await running.stop()
  }
}
