/** The server's public API. */
export { rpcPlugin } from './plugin'
export { rpcMethod, type RpcMethodOptions } from './decorators'
export { RpcConfigurationError, type RpcConfigurationErrorCode } from './configuration-error'
export type { RpcPluginOptions, HttpStatusMode } from './options'
export { createDispatcher, type Dispatcher, type DispatcherOptions, type DispatchContext, type DispatchResult, type RpcLogger } from './dispatcher'
export { buildRegistry, type RpcRegistry, type RpcMethodEntry, type RpcParameter, type RegistryOptions } from './registry'
export type { ParamsProblem } from './params-binding'
export type { PoisoningAction, JsonBodyOptions } from './json-body'
