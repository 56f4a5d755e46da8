import { metrics, trace, type Attributes } from '@opentelemetry/api'
import type { DispatchObserver, TransportObserver } from '../contracts/call-observer'
import { buildCallObserver, type TelemetryKit } from './call-telemetry'
import { reportOnce, type TelemetryLogger } from './failure-report'
import { buildInstruments } from './instruments'
import { ATTR_JSONRPC_LIMIT, INSTRUMENTATION_SCOPE, UNLISTED_METHOD, type RefusalLimit } from './semconv'

export { SEMCONV_VERSION } from './semconv'
export type { TelemetryLogger } from './failure-report'

/**
 * Whether the app registered a tracer or a meter provider. The API exports
 * no handle on its no-op providers, so they are recognised by their class
 * names (stable across @opentelemetry/api 1.x).
 */
export function sdkRegistered (): boolean {
  const tracerProvider = trace.getTracerProvider() as { getDelegate?: () => object }
  const tracing = (tracerProvider.getDelegate?.() ?? tracerProvider).constructor.name !== 'NoopTracerProvider'
  const metering = metrics.getMeterProvider().constructor.name !== 'NoopMeterProvider'
  return tracing || metering
}

/** The observers one plugin instance hands its dispatcher and transports. */
export interface Telemetry {
  readonly dispatch: DispatchObserver
  readonly transport: TransportObserver
}

const LIMITS: readonly RefusalLimit[] = ['batch_size', 'guard', 'timeout', 'busy', 'body_size', 'websocket_connections']

/**
 * Telemetry through the OpenTelemetry API: the app registers the SDK (the
 * tracer provider may come later; the meter provider must be registered
 * before the plugin, since the API hands out no-op instruments until then).
 * `log` hears, once, of an SDK or exporter that throws.
 */
export function buildTelemetry (log: TelemetryLogger): Telemetry | undefined {
  // With no SDK registered every span and metric would be a no-op: not observing at all costs nothing.
  if (!sdkRegistered()) return undefined
  const report = reportOnce(log)
  const refusal = {} as Record<RefusalLimit, Attributes>
  for (const limit of LIMITS) refusal[limit] = Object.freeze({ [ATTR_JSONRPC_LIMIT]: limit })
  const kit: TelemetryKit = {
    tracer: trace.getTracer(INSTRUMENTATION_SCOPE),
    instruments: buildInstruments(metrics.getMeter(INSTRUMENTATION_SCOPE)),
    report,
    refusal
  }
  const { instruments } = kit

  /** Runs one metric update; whatever the SDK throws is reported, never passed on. */
  function guarded (update: () => void): void {
    try {
      update()
    } catch (error) {
      report(error)
    }
  }

  return {
    dispatch: {
      forMethod: (name, options) => options.telemetry === false ? undefined : buildCallObserver(name, kit),
      unlisted: buildCallObserver(UNLISTED_METHOD, kit),
      batch: (size, refused) => guarded(() => {
        if (refused) instruments.refused.add(1, refusal.batch_size)
        else instruments.batchSize.record(size)
      })
    },
    transport: {
      refused: limit => guarded(() => instruments.refused.add(1, refusal[limit])),
      connectionOpened: () => guarded(() => instruments.connections.add(1)),
      connectionClosed: () => guarded(() => instruments.connections.add(-1))
    }
  }
}
