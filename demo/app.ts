import 'reflect-metadata'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { rpcPlugin } from '../plugin'
import { GreetingService, TickerService } from '../services'
import { DemoOpsService } from '../services/demo-ops-service'

export interface DemoRoutes {
  /** Adds `GET /metrics` (demo/metrics.ts); the process registers the metrics SDK first. */
  metrics?: (app: FastifyInstance) => void
}

/**
 * The demo server: the seed's services and the demo-only operations on
 * POST /rpc, and over WebSocket on GET /rpc with a ticker to subscribe to,
 * and the API explorer page on /rpc/explorer/.
 */
export async function buildDemoApp (serverOptions: FastifyServerOptions = {}, routes: DemoRoutes = {}): Promise<FastifyInstance> {
  const app = Fastify(serverOptions)
  routes.metrics?.(app)
  await app.register(rpcPlugin, { services: [new GreetingService(), new DemoOpsService(), new TickerService()], websocket: true, explorer: true })
  return app
}
