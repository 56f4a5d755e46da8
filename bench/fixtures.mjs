// What every server under test serves, and the requests the benchmark sends.

/** The 100 objects the `items` method returns: built once, so the work per call is encoding them. */
export const ITEMS = Array.from({ length: 100 }, (_, i) => ({
  id: i + 1,
  name: `item-${i + 1}`,
  price: Math.round((i + 1) * 137.5) / 100,
  inStock: i % 3 !== 0,
  tags: ['bench', i % 2 === 0 ? 'even' : 'odd'],
  dimensions: { width: i % 7 + 1, height: i % 5 + 1 }
}))

export const ITEM_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    price: { type: 'number' },
    inStock: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    dimensions: {
      type: 'object',
      properties: { width: { type: 'number' }, height: { type: 'number' } },
      required: ['width', 'height']
    }
  },
  required: ['id', 'name', 'price', 'inStock', 'tags', 'dimensions']
}

export const ITEMS_SCHEMA = { type: 'array', items: ITEM_SCHEMA }

const sum = (id) => ({ jsonrpc: '2.0', method: 'Sum', params: [5, 7], id })
const batchOf = (n) => Array.from({ length: n }, (_, i) => sum(i + 1))

/**
 * Each workload: the body sent, and a check of a server's answer (status,
 * parsed body) so a fast wrong answer cannot win.
 */
export const WORKLOADS = [
  {
    name: 'single positional',
    message: sum(1),
    check: (status, body) => status === 200 && body?.result === 12 && body.id === 1
  },
  {
    name: 'single by-name',
    message: { jsonrpc: '2.0', method: 'hello', params: { name: 'Nancy' }, id: 1 },
    check: (status, body) => status === 200 && body?.result === 'Hello, Nancy'
  },
  {
    name: 'batch of 10',
    message: batchOf(10),
    check: (status, body) => status === 200 && Array.isArray(body) && body.length === 10 && body.every((r, i) => r.result === 12 && r.id === i + 1)
  },
  {
    name: 'batch of 100',
    message: batchOf(100),
    check: (status, body) => status === 200 && Array.isArray(body) && body.length === 100 && body.every((r, i) => r.result === 12 && r.id === i + 1)
  },
  {
    name: 'notification',
    message: { jsonrpc: '2.0', method: 'Sum', params: [5, 7] },
    check: (status, body) => status === 204 && body === undefined
  },
  {
    name: '100 objects',
    message: { jsonrpc: '2.0', method: 'items', id: 1 },
    check: (status, body) => status === 200 && JSON.stringify(body?.result) === JSON.stringify(ITEMS)
  }
]

/** The checks the hand-written and peer servers do by hand, as this project does from the types. */
export function sumArgs (params) {
  const a = Array.isArray(params) ? params[0] : params?.a
  const b = Array.isArray(params) ? params[1] : params?.b
  return typeof a === 'number' && typeof b === 'number' ? [a, b] : undefined
}

export function helloArg (params) {
  const name = Array.isArray(params) ? params[0] : params?.name
  return typeof name === 'string' ? name : undefined
}

/** Children print this line once listening, so the parent learns the port. */
export function announce (port) {
  // Exit through process.exit so `node --cpu-prof` writes its profile when the parent stops us.
  process.once('SIGTERM', () => process.exit(0))
  process.stdout.write(`LISTENING ${port}\n`)
}
