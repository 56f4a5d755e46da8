import { buildDemoApp } from './app'
import type { DemoConfig } from './config'
import { closeOnSignals } from './graceful-shutdown'
import { registerPrometheusMetrics } from './metrics'

/** One demo server process (alone, or as a cluster worker): listens, and drains on SIGTERM/SIGINT. */
export async function serve (config: DemoConfig): Promise<void> {
  // Before the app: the plugin takes its metric instruments when it is registered.
  const metricsRoute = registerPrometheusMetrics()
  const app = await buildDemoApp({
    logger: { level: config.logLevel },
    // Fastify 5's defaults, spelled out because graceful shutdown relies on them.
    forceCloseConnections: 'idle',
    return503OnClosing: true
  }, { redisUrl: config.redisUrl, tickMs: config.tickMs }, { metrics: metricsRoute })
  closeOnSignals(app, { graceMs: config.shutdownGraceMs })
  await app.listen({ host: config.host, port: config.port })
}
