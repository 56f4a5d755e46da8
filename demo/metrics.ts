import { metrics } from '@opentelemetry/api'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import type { FastifyInstance } from 'fastify'

/**
 * The demo's metrics: the OpenTelemetry metrics SDK with its Prometheus
 * exporter, read by a Fastify route instead of the exporter's own server
 * (one port, the app's hooks and shutdown). The OpenTelemetry exporter rather
 * than prom-client because the plugin emits through the OpenTelemetry API:
 * with prom-client the same figures would need a second instrumentation.
 * Registered globally before the plugin, which takes its instruments then.
 */
export function registerPrometheusMetrics (): (app: FastifyInstance) => void {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }))
  return function metricsRoute (app) {
    app.get('/metrics', (request, reply) => {
      // The exporter writes the text format to the raw response itself.
      reply.hijack()
      exporter.getMetricsRequestHandler(request.raw, reply.raw)
    })
  }
}
