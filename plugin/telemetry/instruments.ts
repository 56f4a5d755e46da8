import { ValueType, type Counter, type Histogram, type Meter, type UpDownCounter } from '@opentelemetry/api'
import { METRIC_BATCH_SIZE, METRIC_CONNECTIONS, METRIC_DURATION, METRIC_IN_FLIGHT, METRIC_REFUSED } from './semconv'

/** The metric instruments, created once per plugin instance at registration. */
export interface Instruments {
  readonly duration: Histogram
  readonly batchSize: Histogram
  readonly refused: Counter
  readonly inFlight: UpDownCounter
  readonly connections: UpDownCounter
}

/** Milliseconds: from sub-millisecond synchronous methods to calls near a typical timeout. */
const DURATION_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
/** Calls per batch, up to the default maxBatchSize (1000). */
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]

export function buildInstruments (meter: Meter): Instruments {
  return {
    duration: meter.createHistogram(METRIC_DURATION, {
      unit: 'ms',
      description: 'Duration of JSON-RPC calls, from the engine taking the call to its answer',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS }
    }),
    batchSize: meter.createHistogram(METRIC_BATCH_SIZE, {
      unit: '{call}',
      description: 'Elements in each JSON-RPC batch accepted',
      valueType: ValueType.INT,
      advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS }
    }),
    refused: meter.createCounter(METRIC_REFUSED, {
      unit: '{call}',
      description: 'JSON-RPC calls, batches and requests refused by a limit (attribute rpc.jsonrpc.limit)',
      valueType: ValueType.INT
    }),
    inFlight: meter.createUpDownCounter(METRIC_IN_FLIGHT, {
      unit: '{call}',
      description: 'JSON-RPC calls running',
      valueType: ValueType.INT
    }),
    connections: meter.createUpDownCounter(METRIC_CONNECTIONS, {
      unit: '{connection}',
      description: 'Open JSON-RPC WebSocket connections',
      valueType: ValueType.INT
    })
  }
}
