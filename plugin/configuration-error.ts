/**
 * Mistakes a developer makes while setting up the plugin or decorating a
 * service. They are thrown at registration, never sent to a client.
 */
export type RpcConfigurationErrorCode =
  | 'FST_JSONRPC_NO_REFLECT_METADATA'
  | 'FST_JSONRPC_INVALID_OPTION'
  | 'FST_JSONRPC_INVALID_DECORATOR'
  | 'FST_JSONRPC_NO_METHODS'
  | 'FST_JSONRPC_DUPLICATE_METHOD'
  | 'FST_JSONRPC_RESERVED_NAME'
  | 'FST_JSONRPC_INVALID_SCHEMA'

export class RpcConfigurationError extends Error {
  readonly code: RpcConfigurationErrorCode

  constructor (code: RpcConfigurationErrorCode, message: string) {
    super(message)
    this.name = 'RpcConfigurationError'
    this.code = code
  }
}

export function ensureReflectMetadata (): void {
  if (typeof Reflect !== 'object' || typeof Reflect.getOwnMetadata !== 'function') {
    throw new RpcConfigurationError(
      'FST_JSONRPC_NO_REFLECT_METADATA',
      "reflect-metadata is not loaded: add `import 'reflect-metadata'` once, before your services are defined"
    )
  }
}
