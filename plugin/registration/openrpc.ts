import { CALL_TIMEOUT, INVALID_PARAMS, UNAUTHORIZED, STANDARD_MESSAGES } from '../../protocol/error-codes'
import type { JsonRpcErrorObject } from '../../protocol/messages'
import type { JSONSchema, JSONSchemaObject } from '../contracts/json-schema'
import { typeFromDesignType } from './param-validation'
import type { RpcMethodEntry, RpcParameter, RpcRegistry } from '../contracts/method-entry'

/** The reserved method that answers the OpenRPC document. */
export const DISCOVER_METHOD = 'rpc.discover'

/** The version of the OpenRPC specification the document follows. */
export const OPENRPC_VERSION = '1.3.2'

export interface OpenRpcInfo {
  title: string
  version: string
  description?: string
}

export interface OpenRpcContentDescriptor {
  name: string
  schema: JSONSchema
  required?: boolean
  description?: string
  'x-rest'?: boolean
}

export interface OpenRpcMethod {
  name: string
  summary?: string
  description?: string
  deprecated?: boolean
  paramStructure: 'either' | 'by-position'
  params: OpenRpcContentDescriptor[]
  result: OpenRpcContentDescriptor
  errors?: JsonRpcErrorObject[]
}

export interface OpenRpcDocument {
  openrpc: string
  info: OpenRpcInfo
  methods: OpenRpcMethod[]
  components?: { schemas: Record<string, JSONSchema> }
}

function schemaFromDesignType (designType: Function | undefined): JSONSchema | undefined {
  const type = typeFromDesignType(designType)
  return type === undefined ? undefined : { type }
}

function paramDescriptor (entry: RpcMethodEntry, param: RpcParameter, isRest: boolean): OpenRpcContentDescriptor {
  const given = entry.options.params?.[param.name]
  const schema: JSONSchema = given ?? schemaFromDesignType(param.designType) ?? {}
  if (isRest) {
    return {
      name: param.name,
      // By position the elements are the remaining params; by name, this array.
      schema: { type: 'array', items: schema },
      required: false,
      description: 'Rest parameter: by position, every remaining param; by name, an array.',
      'x-rest': true
    }
  }
  return { name: param.name, schema, required: param.required }
}

function resultSchema (entry: RpcMethodEntry): JSONSchema {
  return entry.options.result ?? schemaFromDesignType(entry.returnType) ?? {}
}

/** The errors a call may get besides the ones every call may (parse, invalid request, not found, internal). */
function methodErrors (entry: RpcMethodEntry): JsonRpcErrorObject[] {
  const errors: JsonRpcErrorObject[] = []
  if (entry.parameters.length > 0 || entry.rest !== undefined) errors.push({ code: INVALID_PARAMS, message: STANDARD_MESSAGES[INVALID_PARAMS] })
  if (entry.guards.length > 0) errors.push({ code: UNAUTHORIZED, message: STANDARD_MESSAGES[UNAUTHORIZED] })
  if (entry.timeout > 0) errors.push({ code: CALL_TIMEOUT, message: STANDARD_MESSAGES[CALL_TIMEOUT] })
  for (const declared of entry.options.errors ?? []) {
    if (!errors.some(error => error.code === declared.code)) errors.push({ ...declared })
  }
  return errors
}

export function describeMethod (entry: RpcMethodEntry): OpenRpcMethod {
  const { summary, description, deprecated } = entry.options
  const params = entry.parameters.map(param => paramDescriptor(entry, param, false))
  if (entry.rest !== undefined) params.push(paramDescriptor(entry, entry.rest, true))
  const errors = methodErrors(entry)
  return {
    name: entry.name,
    ...(summary === undefined ? {} : { summary }),
    ...(description === undefined ? {} : { description }),
    ...(deprecated === true ? { deprecated: true } : {}),
    // Destructured parameters have no names a caller could use.
    paramStructure: entry.parameters.some(param => param.destructured) ? 'by-position' : 'either',
    params,
    result: { name: `${entry.name}.result`, schema: resultSchema(entry) },
    ...(errors.length === 0 ? {} : { errors })
  }
}

/** How `rpc.discover` describes itself, last in every document. */
export const DISCOVER_DESCRIPTION: Readonly<OpenRpcMethod> = Object.freeze({
  name: DISCOVER_METHOD,
  summary: 'Returns this OpenRPC document.',
  paramStructure: 'either',
  params: [],
  result: { name: 'OpenRPC Schema', schema: { $ref: 'https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json' } }
})

/** The key of a shared schema under `components.schemas`: its `$id`, with the characters OpenRPC keys may not hold replaced. */
export function componentKey (id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_')
}

/** The schemas a method's description holds: its params' and its result's. */
export function methodSchemas (method: OpenRpcMethod): JSONSchema[] {
  return [...method.params.map(param => param.schema), method.result.schema]
}

/** Every `$ref` string in a schema, found without recursion. */
function refsIn (schema: unknown): string[] {
  const refs: string[] = []
  const pending: unknown[] = [schema]
  while (pending.length > 0) {
    const current = pending.pop()
    if (typeof current !== 'object' || current === null) continue
    if (Array.isArray(current)) {
      for (const element of current) pending.push(element)
      continue
    }
    for (const [key, value] of Object.entries(current)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value)
      else pending.push(value)
    }
  }
  return refs
}

/**
 * Finds which shared schemas (by index) the given schemas reach through
 * `$ref`, directly or through other shared schemas. A reference names a
 * shared schema by its `$id` (`point#`, `point#/properties/x`), or relative
 * to the `$id` of the shared schema that holds it.
 */
export function buildSharedSchemaResolver (sharedSchemas: readonly JSONSchemaObject[]): (schemas: readonly JSONSchema[]) => number[] {
  const byId = new Map<string, number>()
  sharedSchemas.forEach((schema, index) => {
    if (typeof schema.$id !== 'string') return
    byId.set(schema.$id.replace(/#$/, ''), index)
  })
  function resolve (ref: string, base: string | undefined): number | undefined {
    const target = ref.split('#')[0]
    if (target === '') return undefined
    const exact = byId.get(target)
    if (exact !== undefined || base === undefined) return exact
    try {
      return byId.get(new URL(target, base).href)
    } catch {
      return undefined
    }
  }
  return function reachedBy (schemas) {
    const reached = new Set<number>()
    const pending: Array<{ schema: unknown, base: string | undefined }> = schemas.map(schema => ({ schema, base: undefined }))
    while (pending.length > 0) {
      const { schema, base } = pending.pop() as { schema: unknown, base: string | undefined }
      for (const ref of refsIn(schema)) {
        const index = resolve(ref, base)
        if (index === undefined || reached.has(index)) continue
        reached.add(index)
        pending.push({ schema: sharedSchemas[index], base: sharedSchemas[index].$id })
      }
    }
    return [...reached].sort((a, b) => a - b)
  }
}

/**
 * Builds the OpenRPC document of a registry. Schemas the app added with
 * `fastify.addSchema` that the methods' schemas `$ref` (directly or through
 * each other) are listed under components, by `$id`; the others are not shown.
 */
export function buildOpenRpcDocument (registry: RpcRegistry, info: OpenRpcInfo, sharedSchemas: readonly JSONSchemaObject[] = []): OpenRpcDocument {
  const methods = [...registry.values()].map(describeMethod)
  const reached = buildSharedSchemaResolver(sharedSchemas)(methods.flatMap(methodSchemas))
  methods.push({ ...DISCOVER_DESCRIPTION })
  const document: OpenRpcDocument = { openrpc: OPENRPC_VERSION, info: { ...info }, methods }
  if (reached.length > 0) {
    const schemas: Record<string, JSONSchema> = {}
    for (const index of reached) schemas[componentKey(sharedSchemas[index].$id as string)] = sharedSchemas[index]
    document.components = { schemas }
  }
  return document
}
