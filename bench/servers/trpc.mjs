// Peer: tRPC 11 on Fastify (fastifyTRPCPlugin), as its users write it: the same
// procedures with zod validators, queries for reads, a mutation for the sign-up.
// `items` declares its output with `.output(...)`, tRPC's result check, the
// counterpart of a result schema. No transformer (superjson is opt-in).
import { initTRPC } from '@trpc/server'
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify'
import Fastify from 'fastify'
import { z } from 'zod'
import { ITEMS, announce } from '../fixtures.mjs'

// The zod forms of ITEM_SCHEMA and PROFILE_SCHEMA in fixtures.mjs, constraint for constraint.
const item = z.object({
  id: z.number().int(),
  name: z.string(),
  price: z.number(),
  inStock: z.boolean(),
  tags: z.array(z.string()),
  dimensions: z.object({ width: z.number(), height: z.number() })
})

const profile = z.object({
  id: z.number().int().min(1),
  login: z.string().min(3).max(32),
  displayName: z.string().min(1).max(64),
  email: z.string().min(3).max(254),
  age: z.number().int().min(0).max(150),
  height: z.number().gt(0),
  weight: z.number().gt(0),
  active: z.boolean(),
  admin: z.boolean(),
  role: z.enum(['user', 'editor', 'admin']),
  country: z.string().length(2),
  city: z.string().max(100),
  postcode: z.string().max(10),
  street: z.string().max(200),
  phone: z.string().max(20),
  score: z.number().min(0).max(100),
  level: z.number().int().min(1).max(10),
  newsletter: z.boolean(),
  tags: z.array(z.string().max(20)).max(10),
  createdAt: z.number().int().min(0)
})

const t = initTRPC.create()
const router = t.router({
  ping: t.procedure.query(() => 'ping'),
  hao: t.procedure.query(() => 'hao'),
  hello: t.procedure.input(z.object({ name: z.string() })).query(({ input }) => `Hello, ${input.name}`),
  Sum: t.procedure.input(z.tuple([z.number(), z.number()])).query(({ input }) => input[0] + input[1]),
  SumAsync: t.procedure.input(z.tuple([z.number(), z.number()])).query(async ({ input }) => input[0] + input[1]),
  items: t.procedure.output(z.array(item)).query(() => ITEMS),
  register: t.procedure.input(profile).mutation(({ input }) => input.id)
})

// tRPC's Fastify guide raises maxParamLength: a batch names every procedure in one path parameter.
const app = Fastify({ logger: false, routerOptions: { maxParamLength: 5000 } })
await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: { router } })
await app.listen({ host: '127.0.0.1', port: 0 })
announce(app.server.address().port)
