// Peer: jayson's own HTTP server (bare node:http, no Fastify).
import jayson from 'jayson'
import { announce } from '../fixtures.mjs'
import { InvalidParams, methods } from './peer-methods.mjs'

const failure = error => error instanceof InvalidParams ? server.error(-32602, 'Invalid params') : server.error(-32603, 'Internal error')

// jayson methods answer through a callback; only the async method returns a promise.
const table = {}
for (const [name, fn] of Object.entries(methods)) {
  table[name] = function (params, callback) {
    let result
    try {
      result = fn(params)
    } catch (error) {
      callback(failure(error))
      return
    }
    if (result instanceof Promise) result.then(value => callback(null, value), error => callback(failure(error)))
    else callback(null, result)
  }
}
const server = new jayson.Server(table)
const http = server.http()
http.listen(0, '127.0.0.1', () => announce(http.address().port))
