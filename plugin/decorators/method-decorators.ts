// Loaded here, as NestJS does, so that a service file importing `rpcMethod`
// has the Reflect metadata API before its class is defined, whatever order
// the app imports things in; TypeScript's `design:*` metadata needs it then.
import 'reflect-metadata'
import { RpcConfigurationError, ensureReflectMetadata } from '../configuration-error'
import type { RpcMethodOptions } from '../contracts/method-options'
import { RPC_CONTEXT_PARAMETER, RPC_METHODS } from './metadata-keys'

export type { RpcMethodOptions }

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
