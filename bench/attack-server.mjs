// The server under attack (npm run attack starts one per attack, as a child process).
//
// The built plugin (dist) with the plugin's defaults, WebSocket on, on 127.0.0.1
// and a free port, serving a fixture service with the shapes the attacks need.
// ATTACK_TIMEOUT sets the plugin's `timeout` (ms; unset keeps the default).
// It talks to the attack driver over the IPC channel only, so the driver can
// still read its counters while the RPC endpoint refuses or queues calls:
//   -> { type: 'listening', port }            once, when it accepts connections
//   <- { type: 'stats' }  -> { type: 'stats', running, peakRunning, started }
import 'reflect-metadata'
import Fastify from 'fastify'
import jsonrpc from '../dist/index.js'

const { rpcMethod } = jsonrpc

/** Calls of the counted methods that started and have not settled yet, and the most at once. */
const calls = { running: 0, peakRunning: 0, started: 0 }

function counted (work) {
  calls.started++
  calls.running++
  if (calls.running > calls.peakRunning) calls.peakRunning = calls.running
  let done = false
  const settle = () => {
    if (!done) { done = true; calls.running-- }
  }
  work.then(settle, settle)
  return work
}

const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

export class AttackTargets {
  ping () {
    return 'pong'
  }

  /** A typed rest parameter: every element is checked against `number`. */
  sum (...nums) {
    return nums.reduce((total, n) => total + n, 0)
  }

  /** A rest parameter with an explicit element schema (compiled by ajv). */
  scores (...values) {
    return values.length
  }

  /** An asynchronous call that takes `ms` milliseconds (at most 60 s). */
  slow (ms) {
    return counted(sleep(Math.min(Math.max(0, ms), 60_000)).then(() => ms))
  }

  /** Never settles and ignores its abort signal: only the plugin's timeout answers it. */
  never () {
    return counted(new Promise(() => {}))
  }
}

// Plain JavaScript has no decorator syntax: apply each decorator by hand together
// with the `design:*` metadata tsc emits for the TypeScript signatures in the
// comments (tsc's __decorate does exactly this), since the plugin reads it.
function decorate (name, options, paramTypes, returnType) {
  const proto = AttackTargets.prototype
  Reflect.defineMetadata('design:paramtypes', paramTypes, proto, name)
  if (returnType !== undefined) Reflect.defineMetadata('design:returntype', returnType, proto, name)
  rpcMethod(options)(proto, name, Object.getOwnPropertyDescriptor(proto, name))
}
// Summaries and descriptions as a documented API has them: they make up most of
// the rpc.discover answer (about 3 KiB) that attack 3 asks for by the thousand.
const docs = (summary) => ({
  summary,
  description: `${summary}. Part of the attack fixture of fastify-jsonrpc: a service with the parameter ` +
    'shapes that cost a server the most to check (typed rest parameters, element schemas) and calls that ' +
    'are slow or never settle, so that every bound of the plugin is tried.'
})
decorate('ping', docs('Answers pong'), [], String) // ping (): string
decorate('sum', docs('Adds numbers given by position'), [Number], Number) // sum (...nums: number[]): number
decorate('scores', { ...docs('Counts scores from 0 to 100'), params: { values: { type: 'integer', minimum: 0, maximum: 100 } } }, [Number], Number) // scores (...values: number[]): number
decorate('slow', docs('Answers after ms milliseconds'), [Number], Promise) // slow (ms: number): Promise<number>
decorate('never', docs('Never answers'), [], Promise) // never (): Promise<never>

const timeout = process.env.ATTACK_TIMEOUT === undefined ? undefined : Number(process.env.ATTACK_TIMEOUT)
const app = Fastify({ logger: false })
await app.register(jsonrpc.rpcPlugin, {
  services: [new AttackTargets()],
  websocket: true,
  ...(timeout === undefined ? {} : { timeout })
})
await app.listen({ host: '127.0.0.1', port: 0 })

process.on('message', message => {
  if (message?.type === 'stats') process.send({ type: 'stats', ...calls })
})
// The driver's IPC channel closing means it is gone: do not outlive it.
process.on('disconnect', () => process.exit(0))
process.send({ type: 'listening', port: app.server.address().port })
