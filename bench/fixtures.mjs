// The data every server under test serves, and the helpers they share.

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

/**
 * The one object parameter of `register`: 20 fields of the kinds a sign-up
 * form sends (lengths, ranges, an enum, booleans, a bounded list). No string
 * formats or patterns, so the figures compare validators rather than regular
 * expression engines.
 */
export const PROFILE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 1 },
    login: { type: 'string', minLength: 3, maxLength: 32 },
    displayName: { type: 'string', minLength: 1, maxLength: 64 },
    email: { type: 'string', minLength: 3, maxLength: 254 },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    height: { type: 'number', exclusiveMinimum: 0 },
    weight: { type: 'number', exclusiveMinimum: 0 },
    active: { type: 'boolean' },
    admin: { type: 'boolean' },
    role: { type: 'string', enum: ['user', 'editor', 'admin'] },
    country: { type: 'string', minLength: 2, maxLength: 2 },
    city: { type: 'string', maxLength: 100 },
    postcode: { type: 'string', maxLength: 10 },
    street: { type: 'string', maxLength: 200 },
    phone: { type: 'string', maxLength: 20 },
    score: { type: 'number', minimum: 0, maximum: 100 },
    level: { type: 'integer', minimum: 1, maximum: 10 },
    newsletter: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 10 },
    createdAt: { type: 'integer', minimum: 0 }
  },
  required: ['id', 'login', 'displayName', 'email', 'age', 'height', 'weight', 'active', 'admin', 'role',
    'country', 'city', 'postcode', 'street', 'phone', 'score', 'level', 'newsletter', 'tags', 'createdAt']
}

/** A profile that passes PROFILE_SCHEMA; `register` answers its id. */
export const PROFILE = {
  id: 4711,
  login: 'nancy',
  displayName: 'Nancy Drew',
  email: 'nancy@example.com',
  age: 34,
  height: 1.68,
  weight: 61.5,
  active: true,
  admin: false,
  role: 'editor',
  country: 'US',
  city: 'River Heights',
  postcode: '60601',
  street: '12 Elm Street',
  phone: '+1 555 0100',
  score: 87.5,
  level: 4,
  newsletter: false,
  tags: ['sleuth', 'writer'],
  createdAt: 1700000000
}

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

export function profileArg (params) {
  return Array.isArray(params) ? params[0] : params?.profile
}

/** Children print this line once listening, so the parent learns the port. */
export function announce (port) {
  // Exit through process.exit so `node --cpu-prof` writes its profile when the parent stops us.
  process.once('SIGTERM', () => process.exit(0))
  process.stdout.write(`LISTENING ${port}\n`)
}
