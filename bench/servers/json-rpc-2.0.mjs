// Peer: json-rpc-2.0's JSONRPCServer mounted in a Fastify route.
import Fastify from 'fastify'
import { JSONRPCErrorException, JSONRPCServer } from 'json-rpc-2.0'
import { announce } from '../fixtures.mjs'
import { InvalidParams, methods } from './peer-methods.mjs'

const invalidParams = () => new JSONRPCErrorException('Invalid params', -32602)

// The peer logs every refused call (invalid params) with a stack trace by default; the benchmark refuses some on purpose.
const server = new JSONRPCServer({ errorListener: () => {} })
for (const [name, fn] of Object.entries(methods)) {
  // json-rpc-2.0 awaits whatever a method returns, so the async method needs nothing special.
  server.addMethod(name, (params) => {
    try {
      const result = fn(params)
      return result instanceof Promise ? result.catch(error => { throw error instanceof InvalidParams ? invalidParams() : error }) : result
    } catch (error) {
      if (error instanceof InvalidParams) throw invalidParams()
      throw error
    }
  })
}

const app = Fastify({ logger: false })
app.post('/rpc', async (request, reply) => {
  const response = await server.receive(request.body)
  return response === null ? reply.code(204).send() : response
})
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
