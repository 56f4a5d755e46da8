// Peer: json-rpc-2.0's JSONRPCServer mounted in a Fastify route.
import Fastify from 'fastify'
import { JSONRPCErrorException, JSONRPCServer } from 'json-rpc-2.0'
import { announce } from '../fixtures.mjs'
import { InvalidParams, methods } from './peer-methods.mjs'

const server = new JSONRPCServer()
for (const [name, fn] of Object.entries(methods)) {
  server.addMethod(name, (params) => {
    try {
      return fn(params)
    } catch (error) {
      if (error instanceof InvalidParams) throw new JSONRPCErrorException('Invalid params', -32602)
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
