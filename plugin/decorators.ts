// Loaded here, as NestJS does, so that a service file importing `rpcMethod`
// has the Reflect metadata API before its class is defined, whatever order
// the app imports things in; TypeScript's `design:*` metadata needs it then.
import 'reflect-metadata'
import { RpcConfigurationError, ensureReflectMetadata } from './configuration-error'
import { RPC_METHODS } from './metadata-keys'

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
