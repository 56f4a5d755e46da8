// This project with `telemetry: false`: the engine without any observer, the
// figure "ours" (telemetry on through the API, no SDK) is compared with.
import 'reflect-metadata'
import Fastify from 'fastify'
import jsonrpc from '../../dist/index.js'
import services from '../../dist/services/index.js'
import { AsyncService, CatalogService, ProfileService } from '../bench-services.mjs'
import { announce } from '../fixtures.mjs'

const app = Fastify({ logger: false })
await app.register(jsonrpc.rpcPlugin, {
  services: [new services.GreetingService(), new CatalogService(), new AsyncService(), new ProfileService()],
  telemetry: false
})
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
