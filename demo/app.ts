import 'reflect-metadata'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { rpcPlugin } from '../plugin'
import { GreetingService } from '../services'
import { DemoOpsService } from '../services/demo-ops-service'

/** The demo server: the seed's services, plus the demo-only operations, on POST /rpc. */
export async function buildDemoApp (serverOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(serverOptions)
  await app.register(rpcPlugin, { services: [new GreetingService(), new DemoOpsService()] })
  return app
}
