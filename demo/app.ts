import 'reflect-metadata'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { rpcPlugin } from '../plugin'
import { GreetingService } from '../services'

/** The demo server: the seed's services on POST /rpc. */
export async function buildDemoApp (serverOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(serverOptions)
  await app.register(rpcPlugin, { services: [new GreetingService()] })
  return app
}
