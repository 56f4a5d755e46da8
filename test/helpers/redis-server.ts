import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'

/** True when redis-server is on PATH (install: apt-get install -y redis-server; `npm test` does it as root). */
export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0

/**
 * The reason to skip the Redis tests, or false to run them. They are skipped
 * only when redis-server is missing and CI is not "true": on CI a missing
 * server is a failure, never a silent skip.
 */
export const skipWithoutRedis: string | false = hasRedisServer || process.env.CI === 'true'
  ? false
  : 'redis-server is not installed (apt-get install -y redis-server, or run npm test as root); Redis tests skipped'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

export interface RedisProcess {
  readonly port: number
  readonly url: string
  /** Kills the server (SIGKILL: as an outage would) and waits for it to exit. */
  kill: () => Promise<void>
  /** Starts it again on the same port (empty: persistence is off). */
  restart: () => Promise<void>
}

async function startOn (port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s: ${output}`)), 10_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}): ${output}`)) })
  })
  child.stdout?.resume()
  return child
}

/** Starts a private redis-server on a free 127.0.0.1 port, persistence off, stopped when the test ends. */
export async function startRedis (t: { teardown: (fn: () => unknown) => void }): Promise<RedisProcess> {
  const port = await freePort()
  let child: ChildProcess | undefined = await startOn(port)
  const kill = async (): Promise<void> => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    const exited = new Promise(resolve => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }
  t.teardown(kill)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => { child = await startOn(port) }
  }
}
