import 'reflect-metadata'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { test } from 'tap'
import { rpcMethod, type ParamsProblem } from '../index'
import { appWith, post } from './fixtures/app'

/**
 * Issue 10, finding 1: one request of hostile params blocked the event loop
 * for minutes (problems gathered with concat in a loop, every element
 * explained by ajv's allErrors), and 90,000 unknown names produced a 5.2 MB
 * answer. Each size here took seconds to minutes before the fix; the bounds
 * below only prove an answer came at all, not how fast.
 */

class BulkService {
  @rpcMethod()
  sum (...nums: number[]): number {
    return nums.reduce((total, n) => total + n, 0)
  }

  @rpcMethod({ params: { points: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } } })
  plot (...points: Array<{ x: number }>): number {
    return points.length
  }

  @rpcMethod({ params: { rows: { type: 'array', items: { type: 'integer', minimum: 0 } } } })
  store (rows: number[]): number {
    return rows.length
  }

  @rpcMethod()
  hello (name: string): string {
    return `Hello, ${name}`
  }

  @rpcMethod()
  ping (): string {
    return 'pong'
  }
}

/** Generous: proves the request was answered, not that it was quick. */
const ANSWERED_WITHIN_MS = 15_000

function badElements (count: number): string {
  return Array.from({ length: count }, () => '"x"').join(',')
}

async function answeredInTime (pending: Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWERED_WITHIN_MS} ms`)), ANSWERED_WITHIN_MS)
  })
  try {
    return await Promise.race([pending, late])
  } finally {
    clearTimeout(timer)
  }
}

function problemsOf (reply: LightMyRequestResponse): ParamsProblem[] {
  return reply.json().error.data
}

async function bulkApp (t: Parameters<typeof appWith>[0], maxParams?: number): Promise<FastifyInstance> {
  return await appWith(t, { services: [new BulkService()], ...(maxParams === undefined ? {} : { maxParams }) })
}

test('50,000 bad rest-parameter elements are answered with the first 100 problems and a count, and a concurrent ping is served', async t => {
  const app = await bulkApp(t, 100_000)
  const body = `{"jsonrpc":"2.0","method":"sum","params":[${badElements(50_000)}],"id":1}`
  const [reply, ping] = await Promise.all([
    answeredInTime(post(app, body)),
    answeredInTime(post(app, { jsonrpc: '2.0', method: 'ping', id: 2 }))
  ])
  t.equal(reply.statusCode, 400)
  const problems = problemsOf(reply)
  t.equal(problems.length, 101, '100 problems and one closing entry')
  t.same(problems[0], { path: '/nums/0', message: 'must be number' })
  t.same(problems[99], { path: '/nums/99', message: 'must be number' })
  t.same(problems[100], { path: '', message: '49900 more problems not listed', omitted: 49_900 })
  t.ok(reply.body.length < 10_000, `the answer stays small (${reply.body.length} bytes)`)
  t.same(ping.json(), { jsonrpc: '2.0', result: 'pong', id: 2 })
})

test('50,000 elements failing an explicit element schema: 100 explained, the rest only counted', async t => {
  const app = await bulkApp(t, 100_000)
  const elements = Array.from({ length: 50_000 }, () => '{"y":1}').join(',')
  const reply = await answeredInTime(post(app, `{"jsonrpc":"2.0","method":"plot","params":[${elements}],"id":1}`))
  t.equal(reply.statusCode, 400)
  const problems = problemsOf(reply)
  t.equal(problems.length, 101)
  t.same(problems[0], { path: '/points/0/x', message: "must have required property 'x'" })
  t.same(problems[100], { path: '', message: '49900 more problems not listed', omitted: 49_900 })
})

test('a mix of good and bad elements counts only the bad ones', async t => {
  const app = await bulkApp(t)
  const params = Array.from({ length: 1000 }, (_, i) => i % 4 === 0 ? '"bad"' : String(i)).join(',')
  const problems = problemsOf(await post(app, `{"jsonrpc":"2.0","method":"sum","params":[${params}],"id":1}`))
  t.equal(problems.length, 101)
  t.same(problems[1], { path: '/nums/4', message: 'must be number' })
  t.equal(problems[100].omitted, 150, '250 bad elements: 100 listed, 150 counted')
})

test('90,000 unknown named params get a small -32602 answer', async t => {
  const app = await bulkApp(t)
  const params: Record<string, number> = {}
  // Short names, so the body stays inside the default 1 MiB bodyLimit.
  for (let i = 0; i < 90_000; i++) params[i.toString(36)] = 0
  const reply = await answeredInTime(post(app, { jsonrpc: '2.0', method: 'hello', params, id: 1 }))
  t.equal(reply.statusCode, 400)
  const problems = problemsOf(reply)
  t.equal(problems.length, 101)
  t.same(problems[0], { path: '/0', message: 'unknown parameter "0"' })
  t.same(problems[100], { path: '', message: '89901 more problems not listed', omitted: 89_901 }, '89,900 unknown names and the missing "name"')
  t.ok(reply.body.length < 10_000, `the answer stays small (${reply.body.length} bytes; it was 5.2 MB)`)
})

test('a string longer than 1,000 characters gets its first problem only, so maxLength keeps guarding pattern', async t => {
  class Patterned {
    @rpcMethod({ params: { code: { type: 'string', maxLength: 8, pattern: '^[a-z]+$' } } })
    redeem (code: string): string {
      return code
    }
  }
  const app = await appWith(t, { services: [new Patterned()] })
  t.same(problemsOf(await post(app, { jsonrpc: '2.0', method: 'redeem', params: ['A'.repeat(20)], id: 1 })), [
    { path: '/code', message: 'must NOT have more than 8 characters' },
    { path: '/code', message: 'must match pattern "^[a-z]+$"' }
  ], 'a short string: every problem')
  t.same(problemsOf(await post(app, { jsonrpc: '2.0', method: 'redeem', params: ['A'.repeat(1001)], id: 1 })), [
    { path: '/code', message: 'must NOT have more than 8 characters' }
  ], 'a long one: the first')
})

test('a long unknown name is cut short in the message, the path keeps it whole', async t => {
  const app = await bulkApp(t)
  const name = 'n'.repeat(10_000)
  const problems = problemsOf(await post(app, { jsonrpc: '2.0', method: 'hello', params: { name: 'ann', [name]: 1 }, id: 1 }))
  t.same(problems, [{ path: '/' + name, message: `unknown parameter "${'n'.repeat(64)}…" (10000 characters)` }])
})

test('a rest parameter takes at most maxParams elements (default 10,000), by position and by name, refused before any check', async t => {
  const app = await bulkApp(t)
  const byPosition = await post(app, `{"jsonrpc":"2.0","method":"sum","params":[${badElements(10_001)}],"id":1}`)
  t.equal(byPosition.statusCode, 400)
  t.same(byPosition.json().error, { code: -32602, message: 'Invalid params', data: [{ path: '', message: 'sum takes at most 10000 params (maxParams), got 10001' }] })
  const byName = await post(app, `{"jsonrpc":"2.0","method":"sum","params":{"nums":[${badElements(10_001)}]},"id":2}`)
  t.same(byName.json().error.data, [{ path: '/nums', message: 'rest parameter "nums" takes at most 10000 elements (maxParams), got 10001' }])
  const atTheLimit = await post(app, { jsonrpc: '2.0', method: 'sum', params: Array.from({ length: 10_000 }, () => 1), id: 3 })
  t.equal(atTheLimit.json().result, 10_000, '10,000 params are summed')
})

test('300,000 rest params (under 1 MiB) are refused at once instead of freezing the server', async t => {
  const app = await bulkApp(t)
  const body = `{"jsonrpc":"2.0","method":"sum","params":[${Array.from({ length: 300_000 }, () => '0').join(',')}],"id":1}`
  t.ok(body.length < 1_048_576, 'inside the default bodyLimit')
  const reply = await answeredInTime(post(app, body))
  t.same(reply.json().error.data, [{ path: '', message: 'sum takes at most 10000 params (maxParams), got 300000' }])
})

test('maxParams is configurable and checked at registration', async t => {
  const app = await bulkApp(t, 3)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'sum', params: [1, 2, 3], id: 1 })).json().result, 6)
  t.same((await post(app, { jsonrpc: '2.0', method: 'sum', params: [1, 2, 3, 4], id: 2 })).json().error.data,
    [{ path: '', message: 'sum takes at most 3 params (maxParams), got 4' }])
  await t.rejects(bulkApp(t, 0), { code: 'FST_JSONRPC_INVALID_OPTION', message: /`maxParams` must be a positive integer/ })
})

test('a param value of more than 1,000 JSON values lists only its first problem; a smaller one every problem', async t => {
  const app = await bulkApp(t)
  const large = await answeredInTime(post(app, { jsonrpc: '2.0', method: 'store', params: [Array.from({ length: 20_000 }, () => -1)], id: 1 }))
  t.same(problemsOf(large), [{ path: '/rows/0', message: 'must be >= 0' }])
  const justOver = await post(app, { jsonrpc: '2.0', method: 'store', params: [Array.from({ length: 1000 }, () => -1)], id: 1 })
  t.equal(problemsOf(justOver).length, 1, 'the array and its 1,000 elements are 1,001 values')
  const justUnder = await post(app, { jsonrpc: '2.0', method: 'store', params: [Array.from({ length: 999 }, () => -1)], id: 1 })
  t.equal(problemsOf(justUnder).length, 101, '1,000 values: explained in full, listed up to the cap')
  const small = await post(app, { jsonrpc: '2.0', method: 'store', params: [[-1, 2, 'x']], id: 2 })
  t.same(problemsOf(small), [
    { path: '/rows/0', message: 'must be >= 0' },
    { path: '/rows/2', message: 'must be integer' }
  ])
})
