// This project with telemetry on and the OpenTelemetry SDK registered, as an
// app exporting to Prometheus would: the metrics SDK read by the Prometheus
// exporter (not scraped during the run: collection is the scraper's cost),
// and the tracing SDK sending every span through a batch processor to an
// exporter that drops them (the cost of a span up to the network).
import 'reflect-metadata'
import { metrics, trace } from '@opentelemetry/api'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import Fastify from 'fastify'
import jsonrpc from '../../dist/index.js'
import services from '../../dist/services/index.js'
import { AsyncService, CatalogService, ProfileService } from '../bench-services.mjs'
import { announce } from '../fixtures.mjs'

const dropSpans = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} }
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] }))
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] }))

const app = Fastify({ logger: false })
await app.register(jsonrpc.rpcPlugin, {
  services: [new services.GreetingService(), new CatalogService(), new AsyncService(), new ProfileService()]
})
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
