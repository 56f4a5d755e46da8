// This project's methods for the benchmark beyond the demo's GreetingService.
// Plain JavaScript has no decorator syntax: applying `rpcMethod` by hand and
// recording the `design:*` metadata is exactly what tsc emits for the
// TypeScript shown above each method.
import 'reflect-metadata'
import jsonrpc from '../dist/index.js'
import { ITEMS, ITEMS_SCHEMA, PROFILE_SCHEMA } from './fixtures.mjs'

function decorate (prototype, name, options, types) {
  if (types !== undefined) {
    Reflect.defineMetadata('design:paramtypes', types.params, prototype, name)
    Reflect.defineMetadata('design:returntype', types.result, prototype, name)
  }
  jsonrpc.rpcMethod(options)(prototype, name, Object.getOwnPropertyDescriptor(prototype, name))
}

export class CatalogService {
  // @rpcMethod({ result: ITEMS_SCHEMA }) items (): Item[]
  items () {
    return ITEMS
  }
}
decorate(CatalogService.prototype, 'items', { result: ITEMS_SCHEMA })

export class AsyncService {
  // @rpcMethod() async SumAsync (a: number, b: number): Promise<number>
  async SumAsync (a, b) {
    return a + b
  }
}
decorate(AsyncService.prototype, 'SumAsync', {}, { params: [Number, Number], result: Promise })

export class ProfileService {
  // @rpcMethod({ params: { profile: PROFILE_SCHEMA } }) register (profile: Profile): number
  register (profile) {
    return profile.id
  }
}
decorate(ProfileService.prototype, 'register', { params: { profile: PROFILE_SCHEMA } }, { params: [Object], result: Number })
