import { test } from 'tap'
import { GreetingService } from '../services'
import { appWith, post } from './fixtures/app'

test('method lookup never reaches Object.prototype or undecorated members', async t => {
  const app = await appWith(t, { services: [new GreetingService()] })
  const names = [
    'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf',
    '__defineGetter__', '__lookupGetter__', 'propertyIsEnumerable', 'toLocaleString',
    'prototype', 'call', 'apply', 'bind', 'rpc.discover', 'rpc.ping', '', ' ping', 'PING', 'ping\u0000'
  ]
  for (const method of names) {
    const reply = await post(app, { jsonrpc: '2.0', method, id: 1 })
    t.equal(reply.statusCode, 404, `${JSON.stringify(method)}: status`)
    t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 1 }, `${JSON.stringify(method)}: not found`)
  }
  t.equal((await post(app, { jsonrpc: '2.0', method: 'ping', id: 1 })).json().result, 'ping', 'real methods still work')
})
