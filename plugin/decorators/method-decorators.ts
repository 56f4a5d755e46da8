// Loaded here, as NestJS does, so that a service file importing `rpcMethod`
// has the Reflect metadata API before its class is defined, whatever order
// the app imports things in; TypeScript's `design:*` metadata needs it then.
import 'reflect-metadata'
import { RpcConfigurationError, ensureReflectMetadata } from '../configuration-error'
import type { JsonRpcErrorObject } from '../../protocol/messages'
import type { RpcGuard } from '../contracts/call-context'
import type { JSONSchema } from '../contracts/json-schema'
import { RPC_CONTEXT_PARAMETER, RPC_METHODS } from './metadata-keys'

export interface RpcMethodOptions {
  /** The name clients call; defaults to the method's own name. */
  name?: string
  /**
   * Parameters a caller may leave out. A parameter with a default value is
   * optional already; a TypeScript `?` leaves no trace at run time, so list
   * such parameters here.
   */
  optional?: readonly string[]
  /** Milliseconds an asynchronous call may take before it is answered with CALL_TIMEOUT. */
  timeout?: number
  /**
   * JSON Schemas for parameters, by parameter name. Each replaces the schema
   * derived from the TypeScript type (string, number, boolean, array). For a
   * rest parameter (`...values`) the schema describes each element.
   * `$ref` reaches schemas added with `fastify.addSchema` before the plugin.
   */
  params?: Readonly<Record<string, JSONSchema>>
  /**
   * The JSON Schema of the result. The result is checked against it and
   * written by a serializer compiled from it; a result that does not match
   * is answered with -32603 Internal error and logged. Without it, a
   * `string`, `number` or `boolean` return type is checked, and anything
   * else is written with JSON.stringify.
   */
  result?: JSONSchema
  /**
   * Checked before the method runs (after any plugin-wide `guard`), in order;
   * the first to refuse answers the call.
   */
  guard?: RpcGuard | readonly RpcGuard[]
  /** A short summary, for the OpenRPC document. */
  summary?: string
  /** A longer description (Markdown), for the OpenRPC document. */
  description?: string
  /** Marks the method deprecated in the OpenRPC document. */
  deprecated?: boolean
  /** Application errors the method may answer with, for the OpenRPC document. */
  errors?: readonly JsonRpcErrorObject[]
}

/** What `@rpcMethod` records about one method, on the class that declares it. */
export interface RpcMethodRecord {
  readonly propertyKey: string
  readonly options: Readonly<RpcMethodOptions>
}

/**
 * Marks a method as callable over JSON-RPC. It only records the fact on the
 * class; the plugin reads it when a service is registered.
 */
export function rpcMethod (options: RpcMethodOptions = {}): MethodDecorator {
  ensureReflectMetadata()
  const frozen = Object.freeze({ ...options, optional: options.optional && Object.freeze([...options.optional]) })
  return function recordRpcMethod (target, propertyKey) {
    if (typeof propertyKey !== 'string') {
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_DECORATOR',
        `@rpcMethod cannot mark the symbol-named method ${String(propertyKey)}: RPC names are strings`)
    }
    if (typeof target === 'function') {
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_DECORATOR',
        `@rpcMethod cannot mark the static method ${target.name}.${propertyKey}: decorate instance methods`)
    }
    const own: RpcMethodRecord[] = Reflect.getOwnMetadata(RPC_METHODS, target) ?? []
    Reflect.defineMetadata(RPC_METHODS, [...own, { propertyKey, options: frozen }], target)
  }
}

/**
 * Marks the parameter that receives the call's `RpcContext`. It is not an RPC
 * param: callers neither send it by position nor by name.
 */
export function rpcContext (): ParameterDecorator {
  ensureReflectMetadata()
  return function recordRpcContext (target, propertyKey, parameterIndex) {
    if (propertyKey === undefined) {
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_DECORATOR', '@rpcContext() marks a method parameter, not a constructor parameter')
    }
    const existing: number | undefined = Reflect.getOwnMetadata(RPC_CONTEXT_PARAMETER, target, propertyKey)
    if (existing !== undefined) {
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_DECORATOR',
        `@rpcContext() marks two parameters of ${String(propertyKey)} (${existing} and ${parameterIndex}): one is enough`)
    }
    Reflect.defineMetadata(RPC_CONTEXT_PARAMETER, parameterIndex, target, propertyKey)
  }
}
