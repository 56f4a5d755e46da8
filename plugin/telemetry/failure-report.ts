/** The slice of the Fastify logger telemetry uses. */
export interface TelemetryLogger {
  warn: (obj: object, msg: string) => void
}

/** Called with whatever an OpenTelemetry SDK or exporter threw; never throws itself. */
export type FailureReport = (error: unknown) => void

/**
 * Telemetry must never change an answer: every call into OpenTelemetry is
 * guarded, and what it throws is logged here, once per plugin instance (a
 * broken exporter would otherwise log on every call).
 */
export function reportOnce (log: TelemetryLogger): FailureReport {
  let reported = false
  return function reportTelemetryFailure (error) {
    if (reported) return
    reported = true
    try {
      log.warn({ err: error }, 'fastify-jsonrpc: telemetry failed (an OpenTelemetry SDK or exporter threw); calls are answered as before, and later telemetry failures are not logged')
    } catch {
      // A logger that throws cannot be told; the call is answered all the same.
    }
  }
}
