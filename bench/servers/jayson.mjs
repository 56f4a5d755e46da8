// Peer: jayson's own HTTP server.
import jayson from 'jayson'
import { announce } from '../fixtures.mjs'
import { InvalidParams, methods } from './peer-methods.mjs'

const table = {}
for (const [name, fn] of Object.entries(methods)) {
  table[name] = function (params, callback) {
    try {
      callback(null, fn(params))
    } catch (error) {
      callback(error instanceof InvalidParams ? server.error(-32602, 'Invalid params') : server.error(-32603, 'Internal error'))
    }
  }
}
const server = new jayson.Server(table)
const http = server.http()
http.listen(0, '127.0.0.1', () => announce(http.address().port))
