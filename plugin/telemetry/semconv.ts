/**
 * The names this telemetry emits. Spans and the duration histogram follow the
 * OpenTelemetry semantic conventions for RPC and JSON-RPC as of v1.37.0, the
 * last release of the experimental RPC conventions (later releases renamed
 * them: `rpc.system.name`, `jsonrpc.request.id`, `rpc.server.call.duration`
 * in seconds); docs/telemetry.md lists them. The other metrics are this
 * library's own, under `rpc.jsonrpc.`.
 */
export const SEMCONV_VERSION = '1.37.0'

export const ATTR_RPC_SYSTEM = 'rpc.system'
export const ATTR_RPC_METHOD = 'rpc.method'
export const ATTR_JSONRPC_VERSION = 'rpc.jsonrpc.version'
export const ATTR_JSONRPC_REQUEST_ID = 'rpc.jsonrpc.request_id'
export const ATTR_JSONRPC_ERROR_CODE = 'rpc.jsonrpc.error_code'
export const ATTR_JSONRPC_ERROR_MESSAGE = 'rpc.jsonrpc.error_message'
/** Ours: which limit refused a call (see RefusalLimit). */
export const ATTR_JSONRPC_LIMIT = 'rpc.jsonrpc.limit'

export const RPC_SYSTEM_JSONRPC = 'jsonrpc'
/**
 * The method name for calls of names no method answers: a client must not be
 * able to make a new span name or metric series by calling made-up names.
 */
export const UNLISTED_METHOD = '_OTHER'

export const METRIC_DURATION = 'rpc.server.duration'
export const METRIC_BATCH_SIZE = 'rpc.jsonrpc.batch.size'
export const METRIC_REFUSED = 'rpc.jsonrpc.refused'
export const METRIC_IN_FLIGHT = 'rpc.jsonrpc.calls.in_flight'
export const METRIC_CONNECTIONS = 'rpc.jsonrpc.websocket.connections'

/** The limits a refused call is counted under. */
export type RefusalLimit = 'batch_size' | 'guard' | 'timeout' | 'busy' | 'body_size' | 'websocket_connections'

/** The instrumentation scope's name, for the tracer and the meter. */
export const INSTRUMENTATION_SCOPE = 'fastify-jsonrpc'
