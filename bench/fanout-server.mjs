// One server process of the fan-out benchmark (npm run bench:fanout starts two).
//
// The built plugin (dist) on 127.0.0.1 and a free port, WebSocket on, topics
// through the Redis at REDIS_URL. Two methods:
//   join(topic)                       subscribes the calling connection to `topic`
//   publish_burst(topic, n, gapMs, run)  publishes n `tick` notifications
//     { run, seq, sentAtUs } to `topic`, one every gapMs (0: back to back, each
//     publish awaited), and answers { published, elapsedMs }
// `sentAtUs` is process.hrtime (CLOCK_MONOTONIC on Linux: one clock for every
// process of the machine) in microseconds, taken just before each publish, so
// the benchmark can subtract it from its own receive time.
// MAX_CONNECTIONS sets websocket.maxConnections (the default 1000 would refuse
// a larger run). It talks to the benchmark over IPC:
//   -> { type: 'listening', port }  once, when it accepts connections
// and exits when the IPC channel closes, so it never outlives the benchmark.
import 'reflect-metadata'
import Fastify from 'fastify'
import jsonrpc from '../dist/index.js'

const { rpcMethod, rpcContext } = jsonrpc

/** Microseconds on the machine-wide monotonic clock (safe as a double for ~285 years of uptime). */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n)

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const app = Fastify({ logger: { level: 'warn' } })

class FanoutService {
  join (topic, context) {
    if (context?.connection === undefined) return false
    context.connection.subscribe(topic)
    return true
  }

  async publish_burst (topic, n, gapMs, run) {
    const started = monotonicMicros()
    for (let seq = 0; seq < n; seq++) {
      if (gapMs > 0 && seq > 0) await sleep(gapMs)
      await app.rpc.publish(topic, 'tick', { run, seq, sentAtUs: monotonicMicros() })
    }
    return { published: n, elapsedMs: (monotonicMicros() - started) / 1000 }
  }
}

// Plain JavaScript has no decorator syntax: apply the decorators by hand with
// the `design:paramtypes` tsc would emit for the TypeScript signatures
// (`join (topic: string, @rpcContext() context?: RpcContext)`,
// `publish_burst (topic: string, n: number, gapMs: number, run: string)`).
const proto = FanoutService.prototype
Reflect.defineMetadata('design:paramtypes', [String, Object], proto, 'join')
rpcContext()(proto, 'join', 1)
rpcMethod()(proto, 'join', Object.getOwnPropertyDescriptor(proto, 'join'))
Reflect.defineMetadata('design:paramtypes', [String, Number, Number, String], proto, 'publish_burst')
rpcMethod()(proto, 'publish_burst', Object.getOwnPropertyDescriptor(proto, 'publish_burst'))

await app.register(jsonrpc.rpcPlugin, {
  services: [new FanoutService()],
  websocket: { maxConnections: Number(process.env.MAX_CONNECTIONS ?? 1000) },
  redis: process.env.REDIS_URL
})
await app.listen({ host: '127.0.0.1', port: 0 })

// The benchmark's IPC channel closing means it is gone: do not outlive it.
process.on('disconnect', () => process.exit(0))
process.send({ type: 'listening', port: app.server.address().port })
