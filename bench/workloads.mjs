// The workloads the benchmark times, and the request each kind of server gets for them.
//
// A JSON-RPC server gets the message as a POST body on its endpoint. tRPC has
// its own wire format: queries are GET requests with the input as JSON in the
// query string, mutations POST their input as the body, and a batch names the
// procedures comma-separated in the path with `?batch=1` and the inputs keyed
// "0", "1", ... (what `httpBatchLink` sends). Every workload also says how to
// check an answer, so a fast wrong answer cannot win.
import { ITEMS, PROFILE } from './fixtures.mjs'

const sum = (id) => ({ jsonrpc: '2.0', method: 'Sum', params: [5, 7], id })
const batchOf = (n) => Array.from({ length: n }, (_, i) => sum(i + 1))
const sameItems = (value) => JSON.stringify(value) === JSON.stringify(ITEMS)
/** A JSON-RPC server may answer an invalid-params error with 400 (this project) or 200 (the peers): the body decides. */
const invalidParams = (status, body) => (status === 200 || status === 400) && body?.error?.code === -32602 && body.id === 1
/** tRPC answers a refused input with 400 and BAD_REQUEST. */
const trpcRefused = (status, body) => status === 400 && body?.error?.data?.code === 'BAD_REQUEST'
/** A profile wrong in one field only, deep in the object: a server that skips validation answers it. */
const BAD_PROFILE = { ...PROFILE, level: 11 }

/** A tRPC query of one procedure: `GET /trpc/<name>?input=<json>`. */
function trpcQuery (name, input) {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`
  return { method: 'GET', path: `/trpc/${name}${query}` }
}

/** A tRPC batch of `count` queries of one procedure, as httpBatchLink sends it. */
function trpcBatch (name, count, input) {
  const names = Array.from({ length: count }, () => name).join(',')
  const inputs = Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), input]))
  return { method: 'GET', path: `/trpc/${names}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}` }
}

const trpcData = (status, body, expected) => status === 200 && body?.result?.data === expected
const trpcBatchOf = (count, expected) => (status, body) =>
  status === 200 && Array.isArray(body) && body.length === count && body.every(r => r?.result?.data === expected)

const jsonRpcBatchOf = (count) => (status, body) =>
  status === 200 && Array.isArray(body) && body.length === count && body.every((r, i) => r.result === 12 && r.id === i + 1)

/**
 * `key` is what `--only` takes. `jsonrpc` is the message and the check of the
 * parsed answer; `trpc` the request and check for tRPC, or `unsupported` with
 * the reason the cell reads "n/a".
 */
export const WORKLOADS = [
  {
    key: 'single-positional',
    name: 'single positional',
    jsonrpc: {
      message: sum(1),
      check: (status, body) => status === 200 && body?.result === 12 && body.id === 1,
      refuse: { message: { ...sum(1), params: ['5', 7] }, check: invalidParams }
    },
    trpc: {
      ...trpcQuery('Sum', [5, 7]),
      check: (status, body) => trpcData(status, body, 12),
      refuse: { ...trpcQuery('Sum', ['5', 7]), check: trpcRefused }
    }
  },
  {
    key: 'single-by-name',
    name: 'single by name',
    jsonrpc: {
      message: { jsonrpc: '2.0', method: 'hello', params: { name: 'Nancy' }, id: 1 },
      check: (status, body) => status === 200 && body?.result === 'Hello, Nancy' && body.id === 1
    },
    trpc: { ...trpcQuery('hello', { name: 'Nancy' }), check: (status, body) => trpcData(status, body, 'Hello, Nancy') }
  },
  {
    key: 'notification',
    name: 'notification',
    jsonrpc: { message: { jsonrpc: '2.0', method: 'Sum', params: [5, 7] }, check: (status, body) => status === 204 && body === undefined },
    trpc: { unsupported: 'tRPC has no notifications: every call is answered' }
  },
  {
    key: 'batch-10',
    name: 'batch of 10',
    jsonrpc: { message: batchOf(10), check: jsonRpcBatchOf(10) },
    trpc: { ...trpcBatch('Sum', 10, [5, 7]), check: trpcBatchOf(10, 12) }
  },
  {
    key: 'batch-100',
    name: 'batch of 100',
    jsonrpc: { message: batchOf(100), check: jsonRpcBatchOf(100) },
    trpc: { ...trpcBatch('Sum', 100, [5, 7]), check: trpcBatchOf(100, 12) }
  },
  {
    key: 'items-100',
    name: '100 objects, result schema',
    jsonrpc: {
      message: { jsonrpc: '2.0', method: 'items', id: 1 },
      check: (status, body) => status === 200 && sameItems(body?.result) && body.id === 1
    },
    trpc: { ...trpcQuery('items'), check: (status, body) => status === 200 && sameItems(body?.result?.data) }
  },
  {
    key: 'async',
    name: 'async method',
    jsonrpc: {
      message: { jsonrpc: '2.0', method: 'SumAsync', params: [5, 7], id: 1 },
      check: (status, body) => status === 200 && body?.result === 12 && body.id === 1
    },
    trpc: { ...trpcQuery('SumAsync', [5, 7]), check: (status, body) => trpcData(status, body, 12) }
  },
  {
    key: 'validated-object',
    name: 'object of 20 fields, JSON schema',
    jsonrpc: {
      message: { jsonrpc: '2.0', method: 'register', params: { profile: PROFILE }, id: 1 },
      check: (status, body) => status === 200 && body?.result === PROFILE.id && body.id === 1,
      refuse: { message: { jsonrpc: '2.0', method: 'register', params: { profile: BAD_PROFILE }, id: 1 }, check: invalidParams }
    },
    // A sign-up is a mutation in tRPC: a POST with the input as the body.
    trpc: {
      method: 'POST',
      path: '/trpc/register',
      body: PROFILE,
      check: (status, body) => trpcData(status, body, PROFILE.id),
      refuse: { method: 'POST', path: '/trpc/register', body: BAD_PROFILE, check: trpcRefused }
    }
  }
]

const asText = body => body === undefined ? undefined : JSON.stringify(body)

/**
 * The HTTP request one server gets for one workload:
 * `{ method, path, body (text or undefined), check, refusal? }`, or
 * `{ unsupported }`. `refusal`, where there is one, is a request with invalid
 * input the server must refuse: it proves the server checks what it is timed on.
 */
export function requestFor (workload, server) {
  if (server.protocol === 'trpc') {
    const { unsupported, method, path, body, check, refuse } = workload.trpc
    if (unsupported !== undefined) return { unsupported }
    const refusal = refuse && { method: refuse.method, path: refuse.path, body: asText(refuse.body), check: refuse.check }
    return { method, path, body: asText(body), check, refusal }
  }
  const { message, check, refuse } = workload.jsonrpc
  const refusal = refuse && { method: 'POST', path: server.path, body: asText(refuse.message), check: refuse.check }
  return { method: 'POST', path: server.path, body: asText(message), check, refusal }
}
