// One server, one request: check its answer, or load it for a while with
// autocannon and measure what it cost the server.
import autocannon from 'autocannon'

const RSS_SAMPLE_MS = 100

/** Throws unless the server answers `request` (from workloads.mjs' requestFor) as its check expects. */
export async function verify (server, workloadName, request) {
  const headers = request.body === undefined ? {} : { 'content-type': 'application/json' }
  const response = await fetch(server.baseUrl + request.path, { method: request.method, headers, body: request.body })
  const text = await response.text()
  let body
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!request.check(response.status, body)) {
    throw new Error(`${server.label} answers "${workloadName}" wrongly: ${response.status} ${text.slice(0, 200)}`)
  }
}

/**
 * Drives the server with `connections` connections for `seconds` (at most
 * `rate` requests per second when it is not 0) and returns
 * what it cost the server: CPU microseconds per answered request (the server's
 * own CPU time, all threads, read before and after through its usage probe),
 * answers per second, p99 latency in ms and the peak RSS seen meanwhile.
 * Any error, timeout or non-2xx answer fails the run: a server must not be
 * timed on answers the check refused. `warmup` runs are not measured.
 */
export async function drive (server, workloadName, request, { seconds, connections, rate, warmup = false }) {
  let peakRss = server.rssNow()
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, server.rssNow()) }, RSS_SAMPLE_MS)
  try {
    const before = await server.usage()
    const started = process.hrtime.bigint()
    const result = await autocannon({
      url: server.baseUrl + request.path,
      method: request.method,
      headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
      body: request.body,
      connections,
      pipelining: 1,
      duration: seconds,
      // A cap on requests per second across all connections; without it, as fast as the server answers
      // (autocannon refuses an explicit 0).
      ...(rate > 0 ? { overallRate: rate } : {}),
      // autocannon stops only on its sampling tick (default every 1 s), which would stretch a short round to a second.
      sampleInt: 100
    })
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
    const after = await server.usage()
    const bad = result.errors + result.timeouts + result.non2xx
    if (bad > 0) {
      throw new Error(`${server.label} on "${workloadName}": ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`)
    }
    const answered = result.requests.total
    // A warm-up on a starved machine may answer nothing yet; a measured round must answer something to divide by.
    if (answered === 0 && !warmup) throw new Error(`${server.label} on "${workloadName}": no request answered in ${seconds} s`)
    return {
      cpuMicrosPerRequest: answered === 0 ? NaN : (after.cpuMicros - before.cpuMicros) / answered,
      requestsPerSecond: answered / wallSeconds,
      p99Ms: result.latency.p99,
      peakRss: Math.max(peakRss, after.rss),
      answered
    }
  } finally {
    clearInterval(sampler)
  }
}
