import cluster, { type Worker } from 'node:cluster'
import type { DemoConfig } from './config'

/** Unexpected worker deaths within this window count against `workerRestartLimit`. */
const RESTART_WINDOW_MS = 60_000

/** Worker processes may get this long beyond their own grace period before the primary kills them. */
const KILL_MARGIN_MS = 2_000

/** JSON lines in pino's shape, so the primary's log reads like its workers'. */
function log (level: 30 | 40 | 50, msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ level, time: Date.now(), pid: process.pid, role: 'primary', ...fields, msg }) + '\n')
}

/**
 * The cluster primary: forks `config.workers` demo servers sharing one port,
 * replaces a worker that dies (unless they die faster than the restart policy
 * allows: a crash loop would only spin), and on SIGTERM/SIGINT asks every
 * worker to drain and exits 0 once all have exited cleanly.
 */
export function runPrimary (config: DemoConfig): void {
  const live = new Set<Worker>()
  const restarts: number[] = []
  let stopping = false
  let failedWhileStopping = false

  function fork (): void {
    const worker = cluster.fork()
    live.add(worker)
    worker.once('listening', address => {
      log(30, 'worker listening', { workerPid: worker.process.pid, address: `${address.address}:${address.port}` })
    })
  }

  function allowedToRestart (now: number): boolean {
    while (restarts.length > 0 && restarts[0] <= now - RESTART_WINDOW_MS) restarts.shift()
    if (restarts.length >= config.workerRestartLimit) return false
    restarts.push(now)
    return true
  }

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker)
    if (stopping) {
      if (code !== 0) failedWhileStopping = true
      if (live.size === 0) {
        log(failedWhileStopping ? 50 : 30, 'all workers exited', { clean: !failedWhileStopping })
        process.exit(failedWhileStopping ? 1 : 0)
      }
      return
    }
    log(40, 'worker died', { workerPid: worker.process.pid, code, signal })
    if (allowedToRestart(Date.now())) {
      fork()
      return
    }
    log(50, 'workers are dying too fast: not replacing this one', { workerRestartLimit: config.workerRestartLimit, windowMs: RESTART_WINDOW_MS, workersLeft: live.size })
    if (live.size === 0) process.exit(1)
  })

  function stop (reason: string): void {
    if (stopping) return
    stopping = true
    log(30, 'shutting down: draining workers', { reason, workers: live.size })
    if (live.size === 0) process.exit(0)
    for (const worker of live) worker.process.kill('SIGTERM')
    setTimeout(() => {
      log(50, 'workers did not exit in time: killing them', { workersLeft: live.size })
      for (const worker of live) worker.process.kill('SIGKILL')
      process.exit(1)
    }, config.shutdownGraceMs + KILL_MARGIN_MS).unref()
  }

  process.on('SIGTERM', () => { stop('SIGTERM') })
  process.on('SIGINT', () => { stop('SIGINT') })
  log(30, 'cluster primary starting workers', { workers: config.workers })
  for (let i = 0; i < config.workers; i++) fork()
}
