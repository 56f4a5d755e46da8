import { toGuardList, type RpcGuard } from './call-context'
import { RpcConfigurationError } from './configuration-error'
import type { OpenRpcInfo } from './openrpc'
import { DEFAULT_MAX_IN_FLIGHT } from './in-flight'
import { DEFAULT_MAX_PARAMS } from './registry'

const DEFAULT_OPENRPC_INFO: OpenRpcInfo = { title: 'JSON-RPC API', version: '1.0.0' }

export type HttpStatusMode = 'json-rpc-over-http' | 'always-200'

export interface RpcPluginOptions {
  /** Instances of classes with `@rpcMethod()` methods. */
  services: readonly object[]
  /** Where the endpoint is served. Default `/rpc`. */
  path?: string
  /**
   * How HTTP statuses follow the JSON-RPC answer. Default `json-rpc-over-http`
   * (400 / 404 / 500 for errors); `always-200` for clients that treat any
   * non-2xx as a transport failure. Both answer 204 when nothing is owed.
   */
  httpStatus?: HttpStatusMode
  /** Most calls in one batch. Default 1000. */
  maxBatchSize?: number
  /** Most calls of one batch running at once. Default 32. */
  batchConcurrency?: number
  /**
   * Most asynchronous calls running at once across every request and
   * connection of this endpoint, counting calls that timed out but whose
   * promise has not settled. Calls over it are refused with -32002 Server busy
   * (HTTP 503 with Retry-After for a single call). Default 1024.
   */
  maxInFlight?: number
  /** Most params a call may pass to a method with a rest parameter (each element counts one). Default 10000. */
  maxParams?: number
  /** Milliseconds an asynchronous call may run before it is answered with CALL_TIMEOUT; 0 for none. Default 0; `@rpcMethod({ timeout })` overrides it. */
  timeout?: number
  /** Largest request body (and WebSocket message) in bytes. Default: the Fastify instance's `bodyLimit`. */
  bodyLimit?: number
  /** Checked before every method (before the method's own `guard`). */
  guard?: RpcGuard | readonly RpcGuard[]
  /** Also serve JSON-RPC over WebSocket on `GET path` (needs @fastify/websocket). Default false. */
  websocket?: boolean
  /**
   * Serve the OpenRPC document on `rpc.discover`. Default true; `false`
   * turns it off; `{ info }` sets the document's title, version and description.
   */
  openrpc?: boolean | { info?: Partial<OpenRpcInfo> }
}

export interface NormalizedOptions {
  services: readonly object[]
  path: string
  httpStatus: HttpStatusMode
  maxBatchSize: number
  batchConcurrency: number
  maxInFlight: number
  maxParams: number
  timeout: number
  bodyLimit: number | undefined
  guards: readonly RpcGuard[]
  websocket: boolean
  /** undefined when discovery is off. */
  openrpcInfo: OpenRpcInfo | undefined
}

const KNOWN_OPTIONS = new Set(['services', 'path', 'httpStatus', 'maxBatchSize', 'batchConcurrency', 'maxInFlight', 'maxParams', 'timeout', 'bodyLimit', 'guard', 'websocket', 'openrpc'])

function invalid (message: string): RpcConfigurationError {
  return new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION', `fastify-jsonrpc: ${message}`)
}

function positiveInteger (value: unknown, name: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(`\`${name}\` must be a positive integer, got ${JSON.stringify(value) ?? String(value)}`)
  }
  return value
}

/** Checks the options once and fills in the defaults. */
export function normalizeOptions (options: Partial<RpcPluginOptions> | undefined): NormalizedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object with `services`')
  for (const key of Object.keys(options)) {
    // Fastify passes its own registration options (prefix, logLevel) alongside ours.
    if (!KNOWN_OPTIONS.has(key) && !['prefix', 'logLevel', 'logSerializers'].includes(key)) {
      throw invalid(`unknown option \`${key}\` (known: ${[...KNOWN_OPTIONS].join(', ')})`)
    }
  }
  const { services, path = '/rpc', httpStatus = 'json-rpc-over-http', timeout = 0, guard, websocket = false } = options
  if (!Array.isArray(services) || services.length === 0) {
    throw invalid('`services` must be a non-empty array of service instances')
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw invalid(`\`path\` must be a string starting with "/", got ${JSON.stringify(path)}`)
  }
  if (httpStatus !== 'json-rpc-over-http' && httpStatus !== 'always-200') {
    throw invalid(`\`httpStatus\` must be "json-rpc-over-http" or "always-200", got ${JSON.stringify(httpStatus)}`)
  }
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw invalid(`\`timeout\` must be a finite number of milliseconds, 0 or more, got ${JSON.stringify(timeout)}`)
  }
  const guards = toGuardList(guard)
  if (guards === undefined) throw invalid('`guard` must be a function or an array of functions')
  const openrpcInfo = openrpcInfoFrom(options.openrpc)
  if (typeof websocket !== 'boolean') throw invalid(`\`websocket\` must be true or false, got ${JSON.stringify(websocket)}`)
  return {
    services,
    guards,
    websocket,
    openrpcInfo,
    path,
    httpStatus,
    maxBatchSize: positiveInteger(options.maxBatchSize, 'maxBatchSize', 1000) as number,
    batchConcurrency: positiveInteger(options.batchConcurrency, 'batchConcurrency', 32) as number,
    maxInFlight: positiveInteger(options.maxInFlight, 'maxInFlight', DEFAULT_MAX_IN_FLIGHT) as number,
    maxParams: positiveInteger(options.maxParams, 'maxParams', DEFAULT_MAX_PARAMS) as number,
    timeout,
    bodyLimit: positiveInteger(options.bodyLimit, 'bodyLimit', undefined)
  }
}

function openrpcInfoFrom (openrpc: RpcPluginOptions['openrpc']): OpenRpcInfo | undefined {
  if (openrpc === false) return undefined
  if (openrpc === undefined || openrpc === true) return DEFAULT_OPENRPC_INFO
  if (typeof openrpc !== 'object' || openrpc === null) throw invalid('`openrpc` must be true, false or { info: { title, version } }')
  const info = { ...DEFAULT_OPENRPC_INFO, ...openrpc.info }
  for (const key of ['title', 'version', 'description'] as const) {
    if (info[key] !== undefined && typeof info[key] !== 'string') throw invalid(`\`openrpc.info.${key}\` must be a string`)
  }
  return info
}
