/**
 * `fastify-jsonrpc/engine`: the JSON-RPC engine without Fastify, for other
 * transports and for tests. These are internals: they may change in a minor
 * release (docs/architecture.md says what each does).
 */
export { buildDispatcher, type Dispatcher, type DispatcherOptions, type DispatchContext, type DispatchResult } from './plugin/dispatch/dispatcher'
export type { PoisoningAction, JsonBodyOptions } from './plugin/dispatch/json-body'
export { DEFAULT_MAX_IN_FLIGHT } from './plugin/dispatch/in-flight'
export { buildRegistry, DEFAULT_MAX_PARAMS, type RegistryOptions } from './plugin/registration/build-registry'
export type { RpcRegistry, RpcMethodEntry, RpcParameter, ArgsValidator, ResultEncoder } from './plugin/contracts/method-entry'
export { buildOpenRpcDocument, DISCOVER_METHOD, OPENRPC_VERSION, type OpenRpcDocument, type OpenRpcInfo, type OpenRpcMethod, type OpenRpcContentDescriptor } from './plugin/registration/openrpc'
export { withDiscovery } from './plugin/registration/discovery'
export type { RpcLogger } from './plugin/contracts/logger'
