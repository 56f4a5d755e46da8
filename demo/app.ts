import 'reflect-metadata'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { rpcPlugin } from '../plugin'
import { GreetingService, TickerService } from '../services'
import { DemoOpsService } from '../services/demo-ops-service'
import { startTickPublisher } from './tick-publisher'

export interface DemoAppOptions {
  /** REDIS_URL: topics (the ticks) and the demo's rate limit shared by every process using it. */
  redisUrl?: string
  /** Milliseconds between the shared ticks; 0 (the default here) for none. */
  tickMs?: number
}

export interface DemoRoutes {
  /** Adds `GET /metrics` (demo/metrics.ts); the process registers the metrics SDK first. */
  metrics?: (app: FastifyInstance) => void
}

/**
 * The demo server: the seed's services and the demo-only operations on
 * POST /rpc, and over WebSocket on GET /rpc with a ticker to subscribe to,
 * and the API explorer page on /rpc/explorer/.
 */
export async function buildDemoApp (serverOptions: FastifyServerOptions = {}, demo: DemoAppOptions = {}, routes: DemoRoutes = {}): Promise<FastifyInstance> {
  const app = Fastify(serverOptions)
  routes.metrics?.(app)
  // The demo opens its own ioredis client and passes it (the plugin uses it and closes only what it opened): the lease below needs one too.
  const redis = demo.redisUrl === undefined ? undefined : await connectDemoRedis(demo.redisUrl)
  if (redis !== undefined) app.addHook('onClose', async () => { redis.disconnect() })
  await app.register(rpcPlugin, { services: [new GreetingService(), new DemoOpsService(), new TickerService()], websocket: true, explorer: true, redis })
  if (demo.tickMs !== undefined && demo.tickMs > 0) startTickPublisher(app, { intervalMs: demo.tickMs, redis })
  return app
}

async function connectDemoRedis (url: string): Promise<import('ioredis').Redis> {
  const { Redis } = await import('ioredis')
  // Commands fail at once while Redis is down (no queue), within a second otherwise.
  const redis = new Redis(url, { enableOfflineQueue: false, commandTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: true })
  redis.on('error', () => {}) // the plugin's own connections log the outage
  await redis.connect().catch(() => {})
  return redis
}
