// One server under test as a child process: started (pinned to a core with
// taskset when available), asked for its CPU time and memory over IPC through
// the preloaded usage probe, and stopped. Listens on 127.0.0.1 only.
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const PROBE = join(here, 'usage-probe.cjs')
const START_TIMEOUT_MS = 15_000
const USAGE_TIMEOUT_MS = 10_000

export function hasTaskset () {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Pins this process to `core`; false when taskset (util-linux) is missing. */
export function pinSelf (core) {
  if (!hasTaskset()) return false
  execFileSync('taskset', ['-pc', String(core), String(process.pid)], { stdio: 'ignore' })
  return true
}

/**
 * Starts `server.script` (relative to bench/) and resolves once it prints
 * `LISTENING <port>`, with `baseUrl`, `usage()` and `stop()`. With a core,
 * taskset starts it pinned; taskset execs node, so the child's pid is the
 * server's own.
 */
export function startServer (server, { core } = {}) {
  const nodeArgs = ['-r', PROBE, join(here, server.script)]
  const [command, argv] = core === undefined
    ? [process.execPath, nodeArgs]
    : ['taskset', ['-c', String(core), process.execPath, ...nodeArgs]]
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })

  const pending = new Map()
  let nextId = 0
  child.on('message', message => {
    const waiter = pending.get(message?.id)
    if (message?.type !== 'usage' || waiter === undefined) return
    pending.delete(message.id)
    clearTimeout(waiter.timer)
    waiter.resolve({ cpuMicros: message.cpuMicros, rss: message.rss, peakRss: message.peakRss })
  })

  /** CPU time used so far (microseconds), current and peak RSS (bytes). */
  function usage () {
    return new Promise((resolve, reject) => {
      const id = nextId++
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`${server.label} did not report its usage within ${USAGE_TIMEOUT_MS / 1000} s`))
      }, USAGE_TIMEOUT_MS)
      pending.set(id, { resolve, timer })
      child.send({ type: 'usage', id }, error => {
        if (error === null || error === undefined) return
        pending.delete(id)
        clearTimeout(timer)
        reject(new Error(`${server.label} cannot be asked for its usage (exited?): ${error.message}`))
      })
    })
  }

  /** Resident set size read from /proc without asking the server (NaN off Linux). */
  function rssNow () {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      return match ? Number(match[1]) * 1024 : NaN
    } catch {
      return NaN
    }
  }

  const exited = new Promise(resolve => child.once('exit', resolve))

  /** Stops the server; resolves once its process has exited (its core is free again). */
  function stop () {
    for (const { timer } of pending.values()) clearTimeout(timer)
    pending.clear()
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    return exited
  }

  return new Promise((resolve, reject) => {
    let output = ''
    const fail = error => {
      clearTimeout(timer)
      stop()
      reject(error)
    }
    const timer = setTimeout(() => fail(new Error(`${server.label} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS)
    const exitedEarly = code => fail(new Error(`${server.label} exited with ${code} before listening`))
    child.once('error', fail)
    child.once('exit', exitedEarly)
    child.stdout.on('data', chunk => {
      output += chunk
      const match = /LISTENING (\d+)/.exec(output)
      if (match === null) return
      clearTimeout(timer)
      child.removeListener('exit', exitedEarly)
      child.removeListener('error', fail)
      child.stdout.removeAllListeners('data')
      child.stdout.resume()
      resolve({ ...server, pid: child.pid, baseUrl: `http://127.0.0.1:${match[1]}`, usage, rssNow, stop })
    })
  })
}
