import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

const FIXTURE = join(__dirname, '..', 'fixtures', 'redis-node.ts')

export interface NodeProcess {
  child: ChildProcess
  port: number
  /** Everything it wrote (its warn/error logs), for assertions and failure messages. */
  output: () => string
  publish: (topic: string, method: string, params?: unknown[]) => Promise<{ status: number, body: any }>
  post: (body: unknown) => Promise<{ status: number, headers: Headers, body: any }>
}

/** Starts test/fixtures/redis-node.ts in its own process, under the same TypeScript loader tap uses (it emits decorator metadata). */
export async function startNode (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string>): Promise<NodeProcess> {
  const loader = process.execArgv.filter(arg => arg.includes('@tapjs/typescript'))
  const child = spawn(process.execPath, [...loader, FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server process did not start within 60 s: ${output}`)), 60_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /\{"listening":(\d+)\}/.exec(output)
      if (match !== null) { clearTimeout(timer); resolve(Number(match[1])) }
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`the server process exited (${code}): ${output}`)) })
  })
  const base = `http://127.0.0.1:${port}`
  return {
    child,
    port,
    output: () => output,
    publish: async (topic, method, params) => {
      const response = await fetch(`${base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic, method, params }) })
      return { status: response.status, body: await response.json() }
    },
    post: async body => {
      const response = await fetch(`${base}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const text = await response.text()
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) }
    }
  }
}
