// The practical floor: one Fastify route doing the same work by hand.
import Fastify from 'fastify'
import { ITEMS, PROFILE_SCHEMA, announce, helloArg, profileArg, sumArgs } from '../fixtures.mjs'

const error = (code, message, id) => ({ jsonrpc: '2.0', error: { code, message }, id })

async function sumAsync (a, b) {
  return a + b
}

/** One call's answer: an object, undefined for a notification, or a promise of either (the async method). */
function answer (request, fastifyRequest) {
  if (typeof request !== 'object' || request === null || request.jsonrpc !== '2.0' || typeof request.method !== 'string') {
    return error(-32600, 'Invalid Request', null)
  }
  const id = request.id ?? null
  const reply = result => Object.hasOwn(request, 'id') ? { jsonrpc: '2.0', result, id } : undefined
  switch (request.method) {
    case 'Sum': {
      const args = sumArgs(request.params)
      return args === undefined ? error(-32602, 'Invalid params', id) : reply(args[0] + args[1])
    }
    case 'SumAsync': {
      const args = sumArgs(request.params)
      return args === undefined ? error(-32602, 'Invalid params', id) : sumAsync(args[0], args[1]).then(reply)
    }
    case 'hello': {
      const name = helloArg(request.params)
      return name === undefined ? error(-32602, 'Invalid params', id) : reply(`Hello, ${name}`)
    }
    case 'register': {
      // Fastify's own schema support: its validator compiler (ajv), compiled on
      // first use and cached by Fastify per route for this schema object.
      const profile = profileArg(request.params)
      const valid = fastifyRequest.compileValidationSchema(PROFILE_SCHEMA)
      return valid(profile) ? reply(profile.id) : error(-32602, 'Invalid params', id)
    }
    case 'ping': return reply('ping')
    case 'hao': return reply('hao')
    case 'items': return reply(ITEMS)
    default: return error(-32601, 'Method not found', id)
  }
}

// Fastify's validator with the options this project uses for params (Fastify's
// route defaults coerce types, remove and fill in properties, stop at the first error).
const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true } } })
app.post('/rpc', async (request, reply) => {
  const body = request.body
  if (Array.isArray(body)) {
    let answers = body.map(call => answer(call, request))
    if (answers.some(a => a instanceof Promise)) answers = await Promise.all(answers)
    answers = answers.filter(a => a !== undefined)
    return answers.length === 0 ? reply.code(204).send() : answers
  }
  let single = answer(body, request)
  if (single instanceof Promise) single = await single
  return single === undefined ? reply.code(204).send() : single
})
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
