import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api'
import { CALL_TIMEOUT, INTERNAL_ERROR, UNAUTHORIZED } from '../../protocol/error-codes'
import type { JsonRpcId } from '../../protocol/messages'
import type { CallEnding, CallObserver, CallWatch } from '../contracts/call-observer'
import type { FailureReport } from './failure-report'
import type { Instruments } from './instruments'
import { parentContext } from './parent-context'
import {
  ATTR_JSONRPC_ERROR_CODE, ATTR_JSONRPC_ERROR_MESSAGE, ATTR_JSONRPC_REQUEST_ID, ATTR_JSONRPC_VERSION,
  ATTR_RPC_METHOD, ATTR_RPC_SYSTEM, RPC_SYSTEM_JSONRPC, type RefusalLimit
} from './semconv'

/** What every call observer of one plugin instance shares. */
export interface TelemetryKit {
  readonly tracer: Tracer
  readonly instruments: Instruments
  readonly report: FailureReport
  /** The refused counter's attributes, one frozen object per limit. */
  readonly refusal: Readonly<Record<RefusalLimit, Attributes>>
}

/** Most distinct error codes per method whose metric attributes are kept for reuse; others get a fresh object. */
const MAX_CACHED_ERROR_CODES = 32

/** The limit a call's answer shows it was refused by, if any. */
function refusalOf (ending: CallEnding): RefusalLimit | undefined {
  if (ending.busy === true) return 'busy'
  if (ending.errorCode === CALL_TIMEOUT) return 'timeout'
  if (ending.errorCode === UNAUTHORIZED) return 'guard'
  return undefined
}

/**
 * The telemetry of one method's calls: a SERVER span per call and its metrics.
 * Everything that does not change per call (span name, attribute objects) is
 * built here, at registration.
 */
export function buildCallObserver (method: string, kit: TelemetryKit): CallObserver {
  const spanAttributes: Attributes = Object.freeze({
    [ATTR_RPC_SYSTEM]: RPC_SYSTEM_JSONRPC,
    [ATTR_RPC_METHOD]: method,
    [ATTR_JSONRPC_VERSION]: '2.0'
  })
  const metricAttributes: Attributes = Object.freeze({ [ATTR_RPC_SYSTEM]: RPC_SYSTEM_JSONRPC, [ATTR_RPC_METHOD]: method })
  const errorAttributes = new Map<number, Attributes>()
  function attributesFor (errorCode: number): Attributes {
    if (errorCode === 0) return metricAttributes
    let attributes = errorAttributes.get(errorCode)
    if (attributes === undefined) {
      attributes = Object.freeze({ ...metricAttributes, [ATTR_JSONRPC_ERROR_CODE]: errorCode })
      if (errorAttributes.size < MAX_CACHED_ERROR_CODES) errorAttributes.set(errorCode, attributes)
    }
    return attributes
  }
  const spanOptions = { kind: SpanKind.SERVER, attributes: spanAttributes }

  return {
    start (id, transport, request) {
      return new CallSpanWatch(method, spanOptions, metricAttributes, attributesFor, kit, id, transport, request)
    }
  }
}

class CallSpanWatch implements CallWatch {
  private readonly started = performance.now()
  private span: Span | undefined
  private scope: Context | undefined
  private counted = false

  constructor (
    name: string,
    spanOptions: { kind: SpanKind, attributes: Attributes },
    private readonly metricAttributes: Attributes,
    private readonly attributesFor: (errorCode: number) => Attributes,
    private readonly kit: TelemetryKit,
    id: JsonRpcId | undefined,
    transport: string,
    request: unknown
  ) {
    try {
      const parent = parentContext(request, transport)
      const span = kit.tracer.startSpan(name, spanOptions, parent)
      this.span = span
      // Semconv: the id as a string, '' for null, left out for a notification.
      if (id !== undefined) span.setAttribute(ATTR_JSONRPC_REQUEST_ID, id === null ? '' : String(id))
      // A span that records nothing (no SDK, or not sampled) is not made current: that saves a context and a closure per call.
      if (span.isRecording()) this.scope = trace.setSpan(parent, span)
      kit.instruments.inFlight.add(1, metricAttributes)
      this.counted = true
    } catch (error) {
      kit.report(error)
    }
  }

  run<T>(call: () => T): T {
    if (this.scope === undefined) return call()
    let ran = false
    try {
      return context.with(this.scope, () => {
        ran = true
        return call()
      })
    } catch (error) {
      // The call's own failures are the engine's to handle; a context manager that failed before running it is ours.
      if (ran) throw error
      this.kit.report(error)
      return call()
    }
  }

  end (ending: CallEnding): void {
    // The span and the metrics are guarded apart: a broken meter must not leave the span open, nor the reverse.
    const { kit, span } = this
    try {
      const { instruments } = kit
      instruments.duration.record(performance.now() - this.started, this.attributesFor(ending.errorCode))
      if (this.counted) instruments.inFlight.add(-1, this.metricAttributes)
      const refusal = refusalOf(ending)
      if (refusal !== undefined) instruments.refused.add(1, kit.refusal[refusal])
    } catch (error) {
      kit.report(error)
    }
    if (span === undefined) return
    try {
      if (ending.errorCode !== 0) describeError(span, ending)
      span.end()
    } catch (error) {
      kit.report(error)
    }
  }
}

/** The error attributes; status error only for what is the server's failure (-32603, a timeout), as the issue asks. */
function describeError (span: Span, ending: CallEnding): void {
  span.setAttribute(ATTR_JSONRPC_ERROR_CODE, ending.errorCode)
  if (ending.errorMessage !== undefined) span.setAttribute(ATTR_JSONRPC_ERROR_MESSAGE, ending.errorMessage)
  if (ending.thrown !== undefined) span.recordException(asException(ending.thrown))
  if (ending.errorCode === INTERNAL_ERROR || ending.errorCode === CALL_TIMEOUT) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: ending.errorMessage })
  }
}

/** An Error keeps its name, message and stack; anything else thrown is recorded as its string form. */
function asException (thrown: unknown): Error | string {
  try {
    return thrown instanceof Error ? thrown : String(thrown)
  } catch {
    return 'a thrown value that cannot be turned into a string'
  }
}
