import { RpcConfigurationError, ensureReflectMetadata } from '../configuration-error'
import type { RpcMethodRecord } from '../decorators/method-decorators'
import type { RpcGuard } from '../contracts/call-context'
import type { RpcMethodOptions } from '../contracts/method-options'
import type { RpcMethodEntry, RpcParameter, RpcRegistry } from '../contracts/method-entry'
import { toGuardList } from './guard-list'
import type { JSONSchemaObject } from '../contracts/json-schema'
import { DESIGN_PARAM_TYPES, DESIGN_RETURN_TYPE, RPC_CONTEXT_PARAMETER, RPC_METHODS } from '../decorators/metadata-keys'
import { buildArgsValidator } from './param-validation'
import { readParameterList } from './parameter-list'
import { buildResultEncoder } from './result-encoding'
import { buildSchemaCompiler, type SchemaCompiler } from './schema-compiler'

const RESERVED_PREFIX = 'rpc.'

function describeService (service: object): string {
  return service.constructor?.name || 'anonymous service'
}

/** Nearest declaration first, so a subclass's decorator wins over its base's. */
function collectRecords (service: object): RpcMethodRecord[] {
  const seen = new Set<string>()
  const records: RpcMethodRecord[] = []
  for (let proto = Object.getPrototypeOf(service); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const own: RpcMethodRecord[] | undefined = Reflect.getOwnMetadata(RPC_METHODS, proto)
    if (own === undefined) continue
    for (const record of own) {
      if (seen.has(record.propertyKey)) continue
      seen.add(record.propertyKey)
      records.push(record)
    }
  }
  return records
}

function invalidDecorator (where: string, problem: string): RpcConfigurationError {
  return new RpcConfigurationError('FST_JSONRPC_INVALID_DECORATOR', `@rpcMethod on ${where}: ${problem}`)
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isSchema (value: unknown): boolean {
  return typeof value === 'boolean' || isPlainObject(value)
}

function checkSchemaOptions (qualifiedName: string, options: RpcMethodOptions, byName: ReadonlyMap<string, RpcParameter>): void {
  if (options.params !== undefined) {
    if (!isPlainObject(options.params)) {
      throw invalidDecorator(qualifiedName, 'the `params` option must map parameter names to JSON Schemas')
    }
    for (const [name, schema] of Object.entries(options.params)) {
      if (!byName.has(name)) {
        throw invalidDecorator(qualifiedName, `\`params\` names "${name}", which is not a parameter (parameters: ${[...byName.keys()].join(', ') || 'none'})`)
      }
      if (!isSchema(schema)) throw invalidDecorator(qualifiedName, `\`params.${name}\` must be a JSON Schema (an object or a boolean)`)
    }
  }
  if (options.result !== undefined && !isSchema(options.result)) {
    throw invalidDecorator(qualifiedName, 'the `result` option must be a JSON Schema (an object or a boolean)')
  }
}

function buildEntry (service: object, record: RpcMethodRecord, registryOptions: RegistryOptions, compiler: SchemaCompiler): RpcMethodEntry {
  const { propertyKey, options } = record
  const qualifiedName = `${describeService(service)}.${propertyKey}`
  const fn: unknown = (service as Record<string, unknown>)[propertyKey]
  if (typeof fn !== 'function') {
    throw invalidDecorator(qualifiedName, 'the property is not a method on the instance')
  }
  const name = options.name ?? propertyKey
  if (typeof name !== 'string' || name === '') {
    throw invalidDecorator(qualifiedName, 'the `name` option must be a non-empty string')
  }
  const timeout = options.timeout ?? registryOptions.defaultTimeout ?? 0
  if (typeof timeout !== 'number' || !(timeout >= 0) || !Number.isFinite(timeout)) {
    throw invalidDecorator(qualifiedName, 'the `timeout` option must be a finite number of milliseconds, 0 or more')
  }

  const optional = new Set(options.optional ?? [])
  const designTypes: Function[] = Reflect.getMetadata(DESIGN_PARAM_TYPES, service, propertyKey) ?? []
  const declared = readParameterList(fn)
  const contextIndex: number = Reflect.getMetadata(RPC_CONTEXT_PARAMETER, service, propertyKey) ?? -1
  if (contextIndex >= 0 && declared[contextIndex]?.isRest === true) {
    throw invalidDecorator(qualifiedName, '@rpcContext() cannot mark a rest parameter')
  }
  const parameters: RpcParameter[] = []
  let rest: RpcParameter | undefined
  let index = 0
  declared.forEach((param, argumentIndex) => {
    if (argumentIndex === contextIndex) return
    const name = param.name ?? `arg${index}`
    const spec: RpcParameter = {
      name,
      index,
      required: !param.hasDefault && !param.isRest && !optional.has(name),
      destructured: param.name === undefined,
      designType: designTypes[argumentIndex]
    }
    index++
    if (param.isRest) rest = spec
    else parameters.push(spec)
  })
  const byName = new Map<string, RpcParameter>()
  for (const param of rest === undefined ? parameters : [...parameters, rest]) byName.set(param.name, param)
  for (const listed of optional) {
    if (!byName.has(listed)) {
      throw invalidDecorator(qualifiedName, `\`optional\` names "${listed}", which is not a parameter (parameters: ${[...byName.keys()].join(', ') || 'none'})`)
    }
  }

  checkSchemaOptions(qualifiedName, options, byName)
  const returnType: Function | undefined = Reflect.getMetadata(DESIGN_RETURN_TYPE, service, propertyKey)

  let minPositional = 0
  for (const param of parameters) if (param.required) minPositional = param.index + 1

  const method = fn
  return {
    name,
    qualifiedName,
    invoke: (args) => method.apply(service, args),
    parameters,
    rest,
    byName,
    minPositional,
    maxPositional: rest === undefined ? parameters.length : Math.max(parameters.length, registryOptions.maxParams ?? DEFAULT_MAX_PARAMS),
    returnType,
    validateArgs: buildArgsValidator({ parameters, rest, schemas: options.params, where: qualifiedName }, compiler),
    encodeResult: buildResultEncoder({ schema: options.result, returnType, where: qualifiedName }, compiler),
    timeout,
    contextIndex,
    guards: [...registryOptions.guards ?? [], ...guardList(qualifiedName, options.guard)],
    options
  }
}

function guardList (qualifiedName: string, guard: RpcMethodOptions['guard']): RpcGuard[] {
  const guards = toGuardList(guard)
  if (guards === undefined) throw invalidDecorator(qualifiedName, 'the `guard` option takes a function or an array of functions')
  return guards
}

/**
 * The most params one call may pass to a method with a rest parameter. A
 * variadic method rarely needs more; bulk data belongs in one array param.
 * It also keeps `Function.prototype.apply` far below V8's argument limit
 * (about 120,000 on Node 20), past which a call would fail with a RangeError.
 */
export const DEFAULT_MAX_PARAMS = 10_000

export interface RegistryOptions {
  /** The most params a call may pass to a method with a rest parameter (its elements count one each). Default DEFAULT_MAX_PARAMS. */
  maxParams?: number
  /** Applied to methods whose decorator sets no `timeout`; 0 means none. */
  defaultTimeout?: number
  /** Checked before every method's own guards. */
  guards?: readonly RpcGuard[]
  /**
   * Schemas (each with a `$id`) that `params` and `result` schemas may `$ref`;
   * the plugin passes the Fastify instance's `getSchemas()`.
   */
  sharedSchemas?: readonly JSONSchemaObject[]
}

/**
 * Reads the decorator metadata of every service once and builds the immutable
 * method table dispatch works from.
 */
export function buildRegistry (services: readonly object[], options: RegistryOptions = {}): RpcRegistry {
  ensureReflectMetadata()
  const registry = new Map<string, RpcMethodEntry>()
  const compiler = buildSchemaCompiler(options.sharedSchemas)
  for (const service of services) {
    if (typeof service === 'function') {
      const name = (service as Function).name || 'anonymous class'
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION',
        `services takes instances, but got the class ${name}: did you mean \`new ${name}()\`?`)
    }
    if (typeof service !== 'object' || service === null) {
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION',
        `services takes class instances, but got ${service === null ? 'null' : typeof service}`)
    }
    const records = collectRecords(service)
    if (records.length === 0) {
      throw new RpcConfigurationError('FST_JSONRPC_NO_METHODS',
        `${describeService(service)} has no @rpcMethod() methods: decorate the methods clients may call`)
    }
    for (const record of records) {
      const entry = buildEntry(service, record, options, compiler)
      if (entry.name.startsWith(RESERVED_PREFIX)) {
        throw new RpcConfigurationError('FST_JSONRPC_RESERVED_NAME',
          `${entry.qualifiedName} is exposed as "${entry.name}", but names starting with "rpc." are reserved by JSON-RPC 2.0`)
      }
      const clash = registry.get(entry.name)
      if (clash !== undefined) {
        throw new RpcConfigurationError('FST_JSONRPC_DUPLICATE_METHOD',
          `RPC method "${entry.name}" is exposed by both ${clash.qualifiedName} and ${entry.qualifiedName}`)
      }
      registry.set(entry.name, entry)
    }
  }
  return registry
}

/**
 * The methods (`Class.method`) with a parameter whose type neither
 * `design:paramtypes` nor a `params` schema gives: they are served without
 * type checks. TypeScript records a type for every parameter of a decorated
 * method (`Object` when it says nothing), so an unknown one means the build
 * emitted no metadata at all.
 */
export function methodsWithUnknownParamTypes (registry: RpcRegistry): string[] {
  const unchecked: string[] = []
  for (const entry of registry.values()) {
    const all = entry.rest === undefined ? entry.parameters : [...entry.parameters, entry.rest]
    const schemas = entry.options.params
    if (all.some(param => param.designType === undefined && schemas?.[param.name] === undefined)) unchecked.push(entry.qualifiedName)
  }
  return unchecked
}
