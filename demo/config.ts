/** The demo server's settings, read once from the environment. */
export interface DemoConfig {
  host: string
  port: number
  logLevel: string
  /** How long in-flight calls get to finish after SIGTERM/SIGINT before the process gives up. */
  shutdownGraceMs: number
  /** 0: one process; N >= 1: a cluster primary with N workers. */
  workers: number
  /** Unexpected worker deaths replaced per minute before the primary stops replacing them. */
  workerRestartLimit: number
  /** REDIS_URL: share the ticks (and topics) through Redis across workers and machines. */
  redisUrl: string | undefined
  /** TICK_MS: milliseconds between the shared ticks of the `ticks` topic; 0 for none. */
  tickMs: number
}

function integerFrom (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  }
  return value
}

export function readDemoConfig (env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const workers = integerFrom(env, 'WORKERS', 0, 0, 256)
  return {
    host: env.HOST ?? '127.0.0.1',
    port: integerFrom(env, 'PORT', 3000, 0, 65535),
    logLevel: env.LOG_LEVEL ?? 'info',
    shutdownGraceMs: integerFrom(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000),
    workers,
    workerRestartLimit: integerFrom(env, 'WORKER_RESTART_LIMIT', Math.max(5, 3 * workers), 0, 10_000),
    redisUrl: env.REDIS_URL === undefined || env.REDIS_URL === '' ? undefined : env.REDIS_URL,
    tickMs: integerFrom(env, 'TICK_MS', 1000, 0, 3_600_000)
  }
}
