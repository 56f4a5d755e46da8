// This project: the demo's GreetingService plus a catalog method with a result schema.
import 'reflect-metadata'
import Fastify from 'fastify'
import jsonrpc from '../../dist/index.js'
import services from '../../dist/services/index.js'
import { ITEMS, ITEMS_SCHEMA, announce } from '../fixtures.mjs'

const { rpcPlugin, rpcMethod } = jsonrpc

class CatalogService {
  items () {
    return ITEMS
  }
}
// Plain JavaScript has no decorator syntax; applying the decorator by hand is the same call.
rpcMethod({ result: ITEMS_SCHEMA })(CatalogService.prototype, 'items', Object.getOwnPropertyDescriptor(CatalogService.prototype, 'items'))

const app = Fastify({ logger: false })
await app.register(rpcPlugin, { services: [new services.GreetingService(), new CatalogService()] })
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
