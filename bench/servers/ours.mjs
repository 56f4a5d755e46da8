// This project: the demo's GreetingService plus a catalog method with a result schema.
import 'reflect-metadata'
import Fastify from 'fastify'
import jsonrpc from '../../dist/index.js'
import services from '../../dist/services/index.js'
import { CatalogService } from '../catalog-service.mjs'
import { announce } from '../fixtures.mjs'

const app = Fastify({ logger: false })
await app.register(jsonrpc.rpcPlugin, { services: [new services.GreetingService(), new CatalogService()] })
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
