import { metrics, trace, type Meter, type MeterProvider } from '@opentelemetry/api'
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { test } from 'tap'
import { RpcError, rpcMethod } from '../index'
import { appWith, captureLogs, post } from './fixtures/app'

/**
 * Telemetry never changes an answer and never throws into a call: here the
 * real tracing SDK runs a span processor that throws (as a broken exporter
 * would), and the meter provider hands out instruments that throw.
 */
let spansEnded = 0
const throwingProcessor: SpanProcessor = {
  onStart (span) {
    // Starting a span of `later` fails too, so that call runs with no span at all.
    if (span.name === 'later') throw new Error('the SDK broke at the start')
  },
  onEnd () {
    spansEnded++
    throw new Error('the exporter broke')
  },
  async forceFlush () {},
  async shutdown () {}
}
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [throwingProcessor] }))

function broken (): never {
  throw new Error('the metrics SDK broke')
}
const brokenInstrument = { add: broken, record: broken, addCallback: broken, removeCallback: broken }
const brokenMeter = new Proxy({}, { get: () => () => brokenInstrument }) as Meter
const brokenMeterProvider: MeterProvider = { getMeter: () => brokenMeter }
metrics.setGlobalMeterProvider(brokenMeterProvider)

class Service {
  @rpcMethod()
  hello (name: string): string {
    return `Hello, ${name}`
  }

  @rpcMethod()
  refuse (): string {
    throw new RpcError(1234, 'Nope')
  }

  @rpcMethod()
  crash (): string {
    throw new Error('bug')
  }

  @rpcMethod()
  async later (): Promise<number> {
    await new Promise(resolve => setTimeout(resolve, 1))
    return 42
  }
}

const MESSAGES: unknown[] = [
  { jsonrpc: '2.0', method: 'hello', params: ['A'], id: 1 },
  { jsonrpc: '2.0', method: 'refuse', id: 2 },
  { jsonrpc: '2.0', method: 'crash', id: 3 },
  { jsonrpc: '2.0', method: 'later', id: 4 },
  { jsonrpc: '2.0', method: 'hello', params: ['note'] },
  { jsonrpc: '2.0', method: 'missing', id: 5 },
  [{ jsonrpc: '2.0', method: 'hello', params: ['B'], id: 6 }, { jsonrpc: '2.0', method: 'later', id: 7 }, { jsonrpc: '2.0', method: 'crash', id: 8 }],
  [{ jsonrpc: '2.0', method: 'hello', params: ['B'], id: 9 }, { jsonrpc: '2.0', method: 'hello', params: ['C'], id: 10 }, { jsonrpc: '2.0', method: 'hello', params: ['D'], id: 11 }]
]

test('an SDK and exporter that throw: every answer is the same as with telemetry off, and the failure is logged once', async t => {
  const { stream, lines } = captureLogs()
  const watched = await appWith(t, { services: [new Service()], maxBatchSize: 2 }, { logger: { level: 'info', stream } })
  const plain = await appWith(t, { services: [new Service()], maxBatchSize: 2, telemetry: false })
  for (const message of MESSAGES) {
    const [a, b] = [await post(watched, message), await post(plain, message)]
    t.equal(a.statusCode, b.statusCode, `status for ${JSON.stringify(message)}`)
    t.equal(a.body, b.body, `body for ${JSON.stringify(message)}`)
  }
  t.ok(spansEnded > 0, 'the spans reached the broken processor')
  const warnings = lines.filter(line => typeof line.msg === 'string' && line.msg.includes('telemetry failed'))
  t.equal(warnings.length, 1, 'logged once, not once per call')
  t.equal(warnings[0].level, 40)
  t.match(String((warnings[0].err as { message?: string }).message), /the (metrics SDK|exporter|SDK) broke/)
})
