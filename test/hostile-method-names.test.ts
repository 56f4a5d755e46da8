import { test } from 'tap'
import { GreetingService } from '../services'
import { appWith, post } from './fixtures/app'

test('method lookup never reaches Object.prototype or undecorated members', async t => {
  const app = await appWith(t, { services: [new GreetingService()] })
  const names = [
    'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf',
    '__defineGetter__', '__lookupGetter__', 'propertyIsEnumerable', 'toLocaleString',
    'prototype', 'call', 'apply', 'bind', 'rpc.ping', 'rpc.', 'rpc.discover.x', '', ' ping', 'PING', 'ping\u0000'
  ]
  for (const method of names) {
    const reply = await post(app, { jsonrpc: '2.0', method, id: 1 })
    t.equal(reply.statusCode, 404, `${JSON.stringify(method)}: status`)
    t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 1 }, `${JSON.stringify(method)}: not found`)
  }
  t.equal((await post(app, { jsonrpc: '2.0', method: 'ping', id: 1 })).json().result, 'ping', 'real methods still work')
})

test('rpc.discover is the only reserved name served, and only while discovery is on', async t => {
  const withDiscovery = await appWith(t, { services: [new GreetingService()] })
  t.equal((await post(withDiscovery, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 })).json().result.openrpc, '1.3.2')
  const without = await appWith(t, { services: [new GreetingService()], openrpc: false })
  t.equal((await post(without, { jsonrpc: '2.0', method: 'rpc.discover', id: 1 })).statusCode, 404)
})
