// This project, as a user's minimal app (no logger): the demo's GreetingService
// plus the benchmark's catalog, async and profile methods.
import 'reflect-metadata'
import Fastify from 'fastify'
import jsonrpc from '../../dist/index.js'
import services from '../../dist/services/index.js'
import { AsyncService, CatalogService, ProfileService } from '../bench-services.mjs'
import { announce } from '../fixtures.mjs'

const app = Fastify({ logger: false })
await app.register(jsonrpc.rpcPlugin, {
  services: [new services.GreetingService(), new CatalogService(), new AsyncService(), new ProfileService()]
})
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
