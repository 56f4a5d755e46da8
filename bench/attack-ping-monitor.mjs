// The concurrent `ping` of npm run attack, run in a worker thread: its own
// event loop, so the attack driver's work (building and sending megabytes)
// does not delay it and show up as a wait the server caused.
//
// It sends one HTTP `ping` at a time on one keep-alive connection, the next
// ~20 ms after the previous one was sent (or at once when it took longer), and
// records each wait. Messages from the driver:
//   <- { type: 'reset' }  forget the waits so far (the warm-up)
//   <- { type: 'stop' }   stop sending; -> { type: 'report', ... } once the last ping is answered
//   -> { type: 'answered', count } after each of the first pings, so the driver knows it is warm
import http from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'

const { port, intervalMs = 20, path = '/rpc' } = workerData
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const body = '{"jsonrpc":"2.0","method":"ping","id":1}'

let stats = freshStats()
let stopped = false
/** performance.now() when the ping on the wire was sent; undefined between pings. */
let pendingSince

function freshStats () {
  return { sent: 0, pongs: 0, refused: 0, failed: 0, worstMs: 0, refusals: {} }
}

/** One ping: resolves with how it ended, never rejects. Gives up after 60 s (the driver stops it long before). */
function ping () {
  return new Promise(resolve => {
    const request = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, response => {
      const chunks = []
      response.on('data', chunk => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', error => resolve({ error }))
    })
    request.setTimeout(60_000, () => request.destroy(new Error('no answer in 60 s')))
    request.on('error', error => resolve({ error }))
    request.end(body)
  })
}

function record (outcome, waitMs) {
  stats.worstMs = Math.max(stats.worstMs, waitMs)
  if (outcome.error !== undefined) {
    stats.failed++
    return
  }
  let answer
  try {
    answer = JSON.parse(outcome.text)
  } catch {}
  if (outcome.status === 200 && answer?.result === 'pong') {
    stats.pongs++
    return
  }
  // Answered, but not with pong (e.g. 503 Server busy): counted, and the reason kept.
  stats.refused++
  const reason = `${outcome.status} ${answer?.error?.code ?? ''} ${answer?.error?.message ?? outcome.text.slice(0, 60)}`.trim()
  stats.refusals[reason] = (stats.refusals[reason] ?? 0) + 1
}

async function loop () {
  let warmAnswers = 0
  // `stopped` is set by a message from the driver, between two awaits.
  for (;;) {
    if (stopped) break
    const sentAt = performance.now()
    pendingSince = sentAt
    stats.sent++
    const outcome = await ping()
    // From pendingSince, not sentAt: a reset during this ping moved its start.
    const waitMs = performance.now() - pendingSince
    pendingSince = undefined
    record(outcome, waitMs)
    if (stopped) break
    if (warmAnswers < 10 && outcome.error === undefined) parentPort.postMessage({ type: 'answered', count: ++warmAnswers })
    const pause = sentAt + intervalMs - performance.now()
    if (pause > 0) await new Promise(resolve => setTimeout(resolve, pause))
  }
}

parentPort.on('message', message => {
  if (message.type === 'reset') {
    stats = freshStats()
    // A ping on the wire now is counted from now: its wait so far was warm-up.
    if (pendingSince !== undefined) {
      pendingSince = performance.now()
      stats.sent++
    }
  } else if (message.type === 'stop') {
    stopped = true
    stop()
  }
})

/**
 * Reports once the ping on the wire is answered, or after `graceMs`: a ping
 * still unanswered then counts with the time it has waited, so a server that
 * stopped answering cannot look fast because its last ping never came back.
 */
async function stop (graceMs = 1_000) {
  const giveUp = performance.now() + graceMs
  while (performance.now() < giveUp) {
    if (pendingSince === undefined) break // the loop cleared it: the last ping is answered
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  const unanswered = pendingSince === undefined ? 0 : 1
  const waitingMs = pendingSince === undefined ? 0 : performance.now() - pendingSince
  parentPort.postMessage({ type: 'report', ...stats, unanswered, worstMs: Math.max(stats.worstMs, waitingMs) })
  agent.destroy()
  parentPort.close()
}

loop()
