// In-process dispatch, no HTTP: a parsed message in, JSON text out, per call.
// This project's dispatcher writes the response text itself; the peers answer
// objects, so their figures include the JSON.stringify a transport would do
// (and, for reference, without it).
import 'reflect-metadata'
import { execFileSync } from 'node:child_process'
import jayson from 'jayson'
import { JSONRPCErrorException, JSONRPCServer } from 'json-rpc-2.0'
import jsonrpc from '../dist/engine.js'
import services from '../dist/services/index.js'
import { AsyncService, CatalogService, ProfileService } from './bench-services.mjs'
import { InvalidParams, methods } from './servers/peer-methods.mjs'
import { WORKLOADS } from './workloads.mjs'

const IN_PROCESS_WORKLOADS = WORKLOADS.filter(w => ['single-positional', 'single-by-name', 'batch-10', 'notification', 'items-100', 'async', 'validated-object'].includes(w.key))

function ours () {
  const registry = jsonrpc.buildRegistry([new services.GreetingService(), new CatalogService(), new AsyncService(), new ProfileService()])
  const dispatcher = jsonrpc.buildDispatcher(registry, {
    maxBatchSize: 1000,
    batchConcurrency: 32,
    jsonBody: { onProtoPoisoning: 'error', onConstructorPoisoning: 'error' }
  })
  const context = { log: { error () {}, debug () {} }, logCalls: false }
  return async message => (await dispatcher.dispatch(message, context)).body
}

function jsonRpc2 (stringify) {
  const server = new JSONRPCServer()
  for (const [name, fn] of Object.entries(methods)) {
    server.addMethod(name, params => {
      try {
        return fn(params)
      } catch (error) {
        if (error instanceof InvalidParams) throw new JSONRPCErrorException('Invalid params', -32602)
        throw error
      }
    })
  }
  return async message => {
    const response = await server.receive(message)
    return stringify && response !== null ? JSON.stringify(response) : response
  }
}

function jaysonCall (stringify) {
  const table = {}
  for (const [name, fn] of Object.entries(methods)) {
    table[name] = (params, callback) => {
      const failure = error => error instanceof InvalidParams ? server.error(-32602, 'Invalid params') : server.error(-32603, 'Internal error')
      let result
      try {
        result = fn(params)
      } catch (error) {
        callback(failure(error))
        return
      }
      if (result instanceof Promise) result.then(value => callback(null, value), error => callback(failure(error)))
      else callback(null, result)
    }
  }
  const server = new jayson.Server(table)
  return message => new Promise(resolve => {
    server.call(message, (error, success) => {
      const response = error ?? success
      resolve(stringify && response !== undefined ? JSON.stringify(response) : response)
    })
  })
}

async function timeCalls (call, message, count) {
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) await call(message)
  return Number(process.hrtime.bigint() - started) / count
}

const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

export async function runInProcess ({ quick }) {
  try {
    execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' })
  } catch {
    console.warn('taskset not available: running unpinned')
  }
  const rounds = quick ? 3 : 7
  const calls = quick ? 20000 : 100000
  const contenders = [
    { key: 'ours', label: 'fastify-jsonrpc dispatch', call: ours() },
    { key: 'jsonrpc2', label: 'json-rpc-2.0 receive + stringify', call: jsonRpc2(true) },
    { key: 'jayson', label: 'jayson server.call + stringify', call: jaysonCall(true) },
    { key: 'jsonrpc2raw', label: 'json-rpc-2.0 receive (object)', call: jsonRpc2(false) },
    { key: 'jaysonraw', label: 'jayson server.call (object)', call: jaysonCall(false) }
  ]
  console.log(`in-process dispatch, node ${process.version}, ${rounds} rounds x ${fmt(calls)} calls, median ns per call (per message; a batch counts once)`)
  const summary = {}
  for (const workload of IN_PROCESS_WORKLOADS) {
    // Same answers from everyone before timing anything.
    for (const { label, call } of contenders) {
      const answer = await call(workload.jsonrpc.message)
      const body = answer === undefined || answer === null ? undefined : typeof answer === 'string' ? JSON.parse(answer) : answer
      if (!workload.jsonrpc.check(body === undefined ? 204 : 200, body)) throw new Error(`${label} answers "${workload.name}" wrongly: ${JSON.stringify(answer)}`)
    }
    // Encoding 100 objects takes ~100x a small call: fewer calls keep the run short.
    const count = workload.key === 'items-100' ? calls / 50 : calls
    for (const { call } of contenders) await timeCalls(call, workload.jsonrpc.message, count / 4)
    const times = Object.fromEntries(contenders.map(c => [c.key, []]))
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const contender = contenders[(i + round) % contenders.length]
        times[contender.key].push(await timeCalls(contender.call, workload.jsonrpc.message, count))
      }
    }
    console.log(`\n## ${workload.name}`)
    const row = {}
    for (const { key, label } of contenders) {
      const ns = median(times[key])
      const spread = (Math.max(...times[key]) - Math.min(...times[key])) / ns
      row[key] = ns
      console.log(`${label.padEnd(36)}${fmt(ns).padStart(9)} ns ${(fmt(spread * 100, 1) + '%').padStart(8)}${spread > 0.1 ? '  NOISY' : ''}`)
    }
    console.log(`json-rpc-2.0 / ours: ${fmt(row.jsonrpc2 / row.ours, 2)}x   jayson / ours: ${fmt(row.jayson / row.ours, 2)}x   (without their stringify: ${fmt(row.jsonrpc2raw / row.ours, 2)}x, ${fmt(row.jaysonraw / row.ours, 2)}x)`)
    summary[workload.name] = row
  }
  console.log('\n## issue 3 target: in-process dispatch at least 2x faster than both peers (with stringify)')
  for (const [name, row] of Object.entries(summary)) {
    const worst = Math.min(row.jsonrpc2 / row.ours, row.jayson / row.ours)
    console.log(`${worst >= 2 ? 'met    ' : 'NOT MET'}  ${name}: ${fmt(worst, 2)}x faster than the slower-to-beat peer`)
  }
}
