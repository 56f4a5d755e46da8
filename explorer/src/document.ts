/**
 * The parts of an OpenRPC document the page reads. The document comes from
 * the server and may be anything: every field is read defensively.
 */
export type Schema = boolean | Record<string, unknown>

export interface ContentDescriptor {
  name: string
  schema: Schema
  required: boolean
  summary: string
  description: string
  deprecated: boolean
  /** This project's mark for a rest parameter (`...values`). */
  rest: boolean
}

export interface ExamplePairing {
  name: string
  summary: string
  description: string
  params: Array<{ name: string, value: unknown }>
  /** `undefined` when the example has no result (a notification). */
  result: { value: unknown } | undefined
}

export interface MethodErrorInfo {
  code: number
  message: string
  data: unknown
}

export interface MethodInfo {
  name: string
  summary: string
  description: string
  deprecated: boolean
  paramStructure: 'by-name' | 'by-position' | 'either'
  params: ContentDescriptor[]
  result: ContentDescriptor | undefined
  errors: MethodErrorInfo[]
  examples: ExamplePairing[]
}

export interface ApiInfo {
  title: string
  version: string
  description: string
  openrpc: string
  methods: MethodInfo[]
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text (value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function list (value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function descriptor (value: unknown, index: number): ContentDescriptor {
  const raw = isObject(value) ? value : {}
  const schema = raw.schema
  return {
    name: text(raw.name) || `param${index + 1}`,
    schema: typeof schema === 'boolean' || isObject(schema) ? schema : {},
    required: raw.required === true,
    summary: text(raw.summary),
    description: text(raw.description),
    deprecated: raw.deprecated === true,
    rest: raw['x-rest'] === true
  }
}

function example (value: unknown, index: number): ExamplePairing {
  const raw = isObject(value) ? value : {}
  const result = isObject(raw.result) && 'value' in raw.result ? { value: raw.result.value } : undefined
  return {
    name: text(raw.name) || `Example ${index + 1}`,
    summary: text(raw.summary),
    description: text(raw.description),
    params: list(raw.params).filter(isObject).map(param => ({ name: text(param.name), value: param.value })),
    result
  }
}

function method (value: Record<string, unknown>): MethodInfo {
  const structure = value.paramStructure
  return {
    name: text(value.name),
    summary: text(value.summary),
    description: text(value.description),
    deprecated: value.deprecated === true,
    paramStructure: structure === 'by-name' || structure === 'by-position' ? structure : 'either',
    params: list(value.params).map(descriptor),
    result: value.result === undefined ? undefined : descriptor(value.result, 0),
    errors: list(value.errors).filter(isObject).map(error => ({
      code: typeof error.code === 'number' ? error.code : NaN,
      message: text(error.message),
      data: error.data
    })),
    examples: list(value.examples).map(example)
  }
}

/** Reads what `rpc.discover` answered; methods without a string name are left out. */
export function readDocument (value: unknown): ApiInfo {
  const raw = isObject(value) ? value : {}
  const info = isObject(raw.info) ? raw.info : {}
  return {
    title: text(info.title) || 'JSON-RPC API',
    version: text(info.version),
    description: text(info.description),
    openrpc: text(raw.openrpc),
    methods: list(raw.methods).filter(isObject).filter(entry => typeof entry.name === 'string' && entry.name !== '').map(method)
  }
}
