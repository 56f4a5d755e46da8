// The practical upper limit: one Fastify route doing the same work by hand.
import Fastify from 'fastify'
import { ITEMS, announce, helloArg, sumArgs } from '../fixtures.mjs'

const error = (code, message, id) => ({ jsonrpc: '2.0', error: { code, message }, id })

function answer (request) {
  if (typeof request !== 'object' || request === null || request.jsonrpc !== '2.0' || typeof request.method !== 'string') {
    return error(-32600, 'Invalid Request', null)
  }
  const id = request.id ?? null
  let result
  switch (request.method) {
    case 'Sum': {
      const args = sumArgs(request.params)
      if (args === undefined) return error(-32602, 'Invalid params', id)
      result = args[0] + args[1]
      break
    }
    case 'hello': {
      const name = helloArg(request.params)
      if (name === undefined) return error(-32602, 'Invalid params', id)
      result = `Hello, ${name}`
      break
    }
    case 'ping': result = 'ping'; break
    case 'hao': result = 'hao'; break
    case 'items': result = ITEMS; break
    default: return error(-32601, 'Method not found', id)
  }
  return Object.hasOwn(request, 'id') ? { jsonrpc: '2.0', result, id } : undefined
}

const app = Fastify({ logger: false })
app.post('/rpc', async (request, reply) => {
  const body = request.body
  if (Array.isArray(body)) {
    const answers = body.map(answer).filter(a => a !== undefined)
    return answers.length === 0 ? reply.code(204).send() : answers
  }
  const single = answer(body)
  return single === undefined ? reply.code(204).send() : single
})
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
