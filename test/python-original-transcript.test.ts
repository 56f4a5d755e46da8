import 'reflect-metadata'
import { test } from 'tap'
import { buildDemoApp } from '../demo/app'

/**
 * The seed's client sent these five requests (its `-->` lines, verbatim) and
 * printed these answers and statuses (its `<--` lines).
 */
const transcript = [
  {
    request: '{"id": 1, "jsonrpc": "2.0", "method": "ping"}',
    response: { jsonrpc: '2.0', result: 'ping', id: 1 },
    status: 200
  },
  {
    request: '{"id": 2, "jsonrpc": "2.0", "method": "hao"}',
    response: { jsonrpc: '2.0', result: 'hao', id: 2 },
    status: 200
  },
  {
    request: '{"params": ["Nancy"], "id": 3, "jsonrpc": "2.0", "method": "hello"}',
    response: { jsonrpc: '2.0', result: 'Hello, Nancy', id: 3 },
    status: 200
  },
  {
    request: '{"params": [5, 7], "id": 4, "jsonrpc": "2.0", "method": "Sum"}',
    response: { jsonrpc: '2.0', result: 12, id: 4 },
    status: 200
  },
  {
    request: '{"id": 5, "jsonrpc": "2.0", "method": "lid"}',
    response: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 5 },
    status: 404
  }
]

test('the demo server answers the seed transcript exactly', async t => {
  const app = await buildDemoApp()
  t.teardown(() => app.close())
  for (const { request, response, status } of transcript) {
    const reply = await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: request })
    t.equal(reply.statusCode, status, `status for ${request}`)
    t.equal(reply.headers['content-type'], 'application/json; charset=utf-8')
    t.same(reply.json(), response, `body for ${request}`)
  }
})
