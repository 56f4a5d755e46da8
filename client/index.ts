/**
 * The client's public API: `fastify-jsonrpc/client`. It loads nothing from
 * the server side and no Node-only module, so it also runs in browsers.
 */
export { RpcClient, DEFAULT_CLIENT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, type RpcClientOptions, type RpcCallOptions, type RpcHeaders } from './rpc-client'
export type { RpcParams } from './request-message'
export { RpcTransportError, type RpcTransportErrorKind, type RpcTransportErrorDetails } from './transport-error'
export { RpcBatch, type RpcBatchOutcome, type RpcBatchCallOptions, type RpcBatchSender } from './batch'
export type { RpcProxy, RpcNotifier, RpcMethodNames, RpcProxyReservedName } from './proxy'
export type { RpcFetch, RpcFetchInit, RpcFetchResponse } from './http-post'
export type { RpcFetchBody } from './read-body'
export type { RpcWebSocket, RpcWebSocketConstructor, RpcSocketEvent, RpcServerNotification, RpcNotificationHandler, ReconnectBackoff } from './websocket-link'
export { consoleLogHook, type RpcLogEvent, type RpcLogHook } from './log'
export * from '../protocol'
