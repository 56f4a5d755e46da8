// The benchmark's extra method for this project: 100 objects with a result schema.
import 'reflect-metadata'
import jsonrpc from '../dist/index.js'
import { ITEMS, ITEMS_SCHEMA } from './fixtures.mjs'

export class CatalogService {
  items () {
    return ITEMS
  }
}
// Plain JavaScript has no decorator syntax; applying the decorator by hand is the same call.
jsonrpc.rpcMethod({ result: ITEMS_SCHEMA })(CatalogService.prototype, 'items', Object.getOwnPropertyDescriptor(CatalogService.prototype, 'items'))
