import cluster from 'node:cluster'
import { buildDemoApp } from './app'
import type { DemoConfig } from './config'
import { closeOnSignals } from './graceful-shutdown'

/** One demo server process: listens, and drains on SIGTERM/SIGINT (or when its cluster primary goes away). */
export async function serve (config: DemoConfig): Promise<void> {
  const app = await buildDemoApp({
    logger: { level: config.logLevel },
    // Fastify 5's defaults, spelled out because graceful shutdown relies on them.
    forceCloseConnections: 'idle',
    return503OnClosing: true
  })
  const shutdown = closeOnSignals(app, { graceMs: config.shutdownGraceMs })
  // A worker whose primary died (SIGKILL, say) would otherwise serve on, orphaned.
  if (cluster.isWorker) cluster.worker?.on('disconnect', () => { void shutdown('cluster primary disconnected') })
  await app.listen({ host: config.host, port: config.port })
}
