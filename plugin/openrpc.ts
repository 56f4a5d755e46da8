import { CALL_TIMEOUT, INVALID_PARAMS, UNAUTHORIZED, STANDARD_MESSAGES } from '../protocol/error-codes'
import type { JsonRpcErrorObject } from '../protocol/messages'
import type { JSONSchema, JSONSchemaObject } from './json-schema'
import type { RpcGuard } from './call-context'
import { typeFromDesignType } from './param-validation'
import type { RpcMethodEntry, RpcParameter, RpcRegistry } from './registry'

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

function describeMethod (entry: RpcMethodEntry): OpenRpcMethod {
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

/**
 * Builds the OpenRPC document of a registry once, at registration. Schemas
 * the app added with `fastify.addSchema` are listed under components, by
 * `$id`, so that the `$ref`s in method schemas can be resolved.
 */
export function buildOpenRpcDocument (registry: RpcRegistry, info: OpenRpcInfo, sharedSchemas: readonly JSONSchemaObject[] = []): OpenRpcDocument {
  const methods = [...registry.values()].map(describeMethod)
  methods.push({
    name: DISCOVER_METHOD,
    summary: 'Returns this OpenRPC document.',
    paramStructure: 'either',
    params: [],
    result: { name: 'OpenRPC Schema', schema: { $ref: 'https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json' } }
  })
  const document: OpenRpcDocument = { openrpc: OPENRPC_VERSION, info: { ...info }, methods }
  if (sharedSchemas.length > 0) {
    const schemas: Record<string, JSONSchema> = {}
    for (const schema of sharedSchemas) if (typeof schema.$id === 'string') schemas[schema.$id.replace(/[^A-Za-z0-9._-]/g, '_')] = schema
    document.components = { schemas }
  }
  return document
}

/**
 * The registry with `rpc.discover` added: its answer is built and encoded
 * once, here, so a discovery call costs what `ping` does. The plugin-wide
 * guards apply to it as to every method.
 */
export function withDiscovery (registry: RpcRegistry, document: OpenRpcDocument, guards: readonly RpcGuard[]): RpcRegistry {
  const documentJson = JSON.stringify(document)
  const entry: RpcMethodEntry = {
    name: DISCOVER_METHOD,
    qualifiedName: DISCOVER_METHOD,
    invoke: () => document,
    parameters: [],
    rest: undefined,
    byName: new Map(),
    minPositional: 0,
    maxPositional: 0,
    returnType: Object,
    validateArgs: undefined,
    encodeResult: () => documentJson,
    timeout: 0,
    contextIndex: -1,
    guards,
    options: {}
  }
  return new Map([...registry, [DISCOVER_METHOD, entry]])
}
