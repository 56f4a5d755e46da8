/**
 * The server's public API, for applications: the plugin, its decorators, the
 * types a service and a guard are written against, and the errors. Engine
 * internals (the dispatcher, the registry, validators, encoders) are behind
 * `fastify-jsonrpc/engine` so they can change without a breaking release.
 */
export { rpcPlugin } from './plugin'
export { rpcMethod, rpcContext, type RpcMethodOptions } from './decorators/method-decorators'
export type { RpcContext, RpcGuard, RpcConnection } from './contracts/call-context'
export type { RpcLogger } from './contracts/logger'
export type { ParamsProblem } from './contracts/params-problems'
export type { JSONSchema, JSONSchemaObject, JSONSchemaTypeName, JSONValue } from './contracts/json-schema'
export { RpcConfigurationError, type RpcConfigurationErrorCode } from './configuration-error'
export type { RpcPluginOptions, HttpStatusMode, WebSocketOptions } from './options'
export { ResultMismatchError } from './registration/result-encoding'
export type { OpenRpcDocument, OpenRpcInfo } from './registration/openrpc'
