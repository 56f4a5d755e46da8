import type { RpcGuard } from './contracts/call-context'
import { toGuardList } from './registration/guard-list'
import { RpcConfigurationError } from './configuration-error'
import type { OpenRpcInfo } from './registration/openrpc'
import { DEFAULT_MAX_IN_FLIGHT } from './dispatch/in-flight'
import { DEFAULT_MAX_PARAMS } from './registration/build-registry'
import { hasOwn } from '../protocol/checks'
import { normalizeRateLimit, type NormalizedRateLimits, type RateLimitOptions } from './rate-limit/rate-limit-options'
import { checkRedisOption, type RedisOption } from './pubsub/redis-connection'

const DEFAULT_OPENRPC_INFO: OpenRpcInfo = { title: 'JSON-RPC API', version: '1.0.0' }

/** The limits of the WebSocket transport; every one has a default (docs/websocket.md). */
export interface WebSocketOptions {
  /** Most WebSocket connections this plugin instance serves at once; the next one is closed with 1013. Default 1000. */
  maxConnections?: number
  /** Milliseconds between pings; a peer that has not answered the previous ping is cut off. Default 30000; 0 turns it off. */
  heartbeatMs?: number
  /** Milliseconds without a message either way (and no call running) before the server closes with 1000. Default 300000; 0 turns it off. */
  idleTimeoutMs?: number
  /** Bytes of one connection's messages waiting for a free slot; at this the server stops reading the socket until some are answered. Default 1 MiB. */
  maxQueuedBytes?: number
  /** Bytes of answers not yet taken by the client; above this the server starts no new call of that connection until it drains. Default 1 MiB. */
  maxBufferedBytes?: number
  /** Bytes of answers not yet taken above which the next send closes the connection with 1008 instead. Default 8 MiB (and at least maxBufferedBytes). */
  closeBufferedBytes?: number
  /** Most topics one connection may be subscribed to (`ctx.connection.subscribe`); the next subscribe throws -32005. Default 100. */
  maxSubscriptions?: number
}

export type WebSocketLimits = Readonly<Required<WebSocketOptions>>

const MIB = 1024 * 1024

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = Object.freeze({
  maxConnections: 1000,
  heartbeatMs: 30_000,
  idleTimeoutMs: 300_000,
  maxQueuedBytes: MIB,
  maxBufferedBytes: MIB,
  closeBufferedBytes: 8 * MIB,
  maxSubscriptions: 100
})

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
  /**
   * Also serve JSON-RPC over WebSocket on `GET path` (needs @fastify/websocket).
   * Default false; `true` serves it with the default limits, an object sets them.
   */
  websocket?: boolean | WebSocketOptions
  /**
   * Serve the OpenRPC document on `rpc.discover`. Default true; `false`
   * turns it off; `{ info }` sets the document's title, version and description.
   */
  openrpc?: boolean | { info?: Partial<OpenRpcInfo> }
  /**
   * Serve the API explorer page at `path` + `/explorer` (`{ path: '/docs' }`
   * for `path` + `/docs`). Needs `openrpc` on. Default false.
   */
  explorer?: boolean | { path?: string }
  /**
   * A span and metrics for every call through the OpenTelemetry API, when the
   * app has `@opentelemetry/api` (and registers an SDK). Default true; `false`
   * turns it off entirely (docs/telemetry.md).
   */
  telemetry?: boolean
  /**
   * Share topics (`fastify.rpc.publish`) and rate limits through Redis: a
   * `redis://` URL (the plugin opens and closes its connections) or an ioredis
   * client of the app's (the plugin closes only the subscriber connection it
   * duplicates from it). Needs the ioredis package. Default: in-process.
   */
  redis?: RedisOption
  /**
   * Prefix of this instance's Redis channel and rate-limit key names. Default
   * `fastify-jsonrpc:` + the endpoint's URL + `:`, so two instances on two
   * paths keep apart; give two instances the same prefix to share topics.
   */
  pubsubPrefix?: string
  /** Rate limits per caller: plugin-wide, and the defaults for `@rpcMethod({ rateLimit })` (docs/operations.md). */
  rateLimit?: RateLimitOptions
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
  /** undefined when WebSocket is off. */
  websocket: WebSocketLimits | undefined
  /** undefined when discovery is off. */
  openrpcInfo: OpenRpcInfo | undefined
  /** The explorer's path below `path`, or undefined when it is off. */
  explorerPath: string | undefined
  telemetry: boolean
  redis: RedisOption | undefined
  /** undefined: derived from the mount path by the plugin. */
  pubsubPrefix: string | undefined
  rateLimit: NormalizedRateLimits
}

const KNOWN_OPTIONS = new Set(['services', 'path', 'httpStatus', 'maxBatchSize', 'batchConcurrency', 'maxInFlight', 'maxParams', 'timeout', 'bodyLimit', 'guard', 'websocket', 'openrpc', 'explorer', 'redis', 'pubsubPrefix', 'rateLimit', 'telemetry'])

function invalid (message: string): RpcConfigurationError {
  return new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION', `fastify-jsonrpc: ${message}`)
}

/** A number of milliseconds setTimeout can wait (larger ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1

function timerMs (value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_TIMER_MS) {
    throw invalid(`\`${name}\` must be a whole number of milliseconds from 0 (off) to ${MAX_TIMER_MS}, got ${JSON.stringify(value) ?? String(value)}`)
  }
  return value
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
  const { services, path = '/rpc', httpStatus = 'json-rpc-over-http', timeout = 0, guard, telemetry = true } = options
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
  if (typeof telemetry !== 'boolean') throw invalid(`\`telemetry\` must be true or false, got ${JSON.stringify(telemetry) ?? String(telemetry)}`)
  const guards = toGuardList(guard)
  if (guards === undefined) throw invalid('`guard` must be a function or an array of functions')
  const openrpcInfo = openrpcInfoFrom(options.openrpc)
  const websocket = websocketLimitsFrom(options.websocket)
  const explorerPath = explorerPathFrom(options.explorer)
  if (explorerPath !== undefined && openrpcInfo === undefined) throw invalid('`explorer` reads the OpenRPC document: it needs `openrpc` on')
  return {
    services,
    guards,
    websocket,
    openrpcInfo,
    explorerPath,
    path,
    httpStatus,
    maxBatchSize: positiveInteger(options.maxBatchSize, 'maxBatchSize', 1000) as number,
    batchConcurrency: positiveInteger(options.batchConcurrency, 'batchConcurrency', 32) as number,
    maxInFlight: positiveInteger(options.maxInFlight, 'maxInFlight', DEFAULT_MAX_IN_FLIGHT) as number,
    maxParams: positiveInteger(options.maxParams, 'maxParams', DEFAULT_MAX_PARAMS) as number,
    timeout,
    telemetry,
    bodyLimit: positiveInteger(options.bodyLimit, 'bodyLimit', undefined),
    redis: checkRedisOption(options.redis),
    pubsubPrefix: pubsubPrefixFrom(options.pubsubPrefix),
    rateLimit: normalizeRateLimit(options.rateLimit)
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

function websocketLimitsFrom (websocket: RpcPluginOptions['websocket']): WebSocketLimits | undefined {
  if (websocket === undefined || websocket === false) return undefined
  if (websocket === true) return DEFAULT_WEBSOCKET_LIMITS
  if (typeof websocket !== 'object' || websocket === null || Array.isArray(websocket)) {
    throw invalid(`\`websocket\` must be true, false or an object of limits, got ${JSON.stringify(websocket) ?? String(websocket)}`)
  }
  for (const key of Object.keys(websocket)) {
    if (!hasOwn(DEFAULT_WEBSOCKET_LIMITS, key)) {
      throw invalid(`unknown option \`websocket.${key}\` (known: ${Object.keys(DEFAULT_WEBSOCKET_LIMITS).join(', ')})`)
    }
  }
  const defaults = DEFAULT_WEBSOCKET_LIMITS
  const maxBufferedBytes = positiveInteger(websocket.maxBufferedBytes, 'websocket.maxBufferedBytes', defaults.maxBufferedBytes) as number
  const limits: WebSocketLimits = {
    maxConnections: positiveInteger(websocket.maxConnections, 'websocket.maxConnections', defaults.maxConnections) as number,
    heartbeatMs: timerMs(websocket.heartbeatMs, 'websocket.heartbeatMs', defaults.heartbeatMs),
    idleTimeoutMs: timerMs(websocket.idleTimeoutMs, 'websocket.idleTimeoutMs', defaults.idleTimeoutMs),
    maxQueuedBytes: positiveInteger(websocket.maxQueuedBytes, 'websocket.maxQueuedBytes', defaults.maxQueuedBytes) as number,
    maxBufferedBytes,
    // Raising only maxBufferedBytes must not make the default close threshold the smaller one.
    closeBufferedBytes: positiveInteger(websocket.closeBufferedBytes, 'websocket.closeBufferedBytes', Math.max(defaults.closeBufferedBytes, maxBufferedBytes)) as number,
    maxSubscriptions: positiveInteger(websocket.maxSubscriptions, 'websocket.maxSubscriptions', defaults.maxSubscriptions) as number
  }
  if (limits.closeBufferedBytes < limits.maxBufferedBytes) {
    throw invalid(`\`websocket.closeBufferedBytes\` (${limits.closeBufferedBytes}) must be at least \`websocket.maxBufferedBytes\` (${limits.maxBufferedBytes})`)
  }
  return Object.freeze(limits)
}

/** One or more `/segment`s of plain URL characters: the explorer's assets are served below it. */
const EXPLORER_PATH = /^(\/[A-Za-z0-9._~-]+)+$/

function explorerPathFrom (explorer: RpcPluginOptions['explorer']): string | undefined {
  if (explorer === undefined || explorer === false) return undefined
  if (explorer === true) return '/explorer'
  if (typeof explorer !== 'object' || explorer === null || Array.isArray(explorer)) throw invalid('`explorer` must be true, false or { path }')
  const unknown = Object.keys(explorer).find(key => key !== 'path')
  if (unknown !== undefined) throw invalid(`unknown option \`explorer.${unknown}\` (known: path)`)
  const { path = '/explorer' } = explorer
  if (typeof path !== 'string' || !EXPLORER_PATH.test(path) || path.split('/').some(segment => segment === '.' || segment === '..')) {
    throw invalid(`\`explorer.path\` must be one or more /segments of letters, digits and -._~ (such as "/explorer"), got ${JSON.stringify(path)}`)
  }
  return path
}

function pubsubPrefixFrom (prefix: unknown): string | undefined {
  if (prefix === undefined) return undefined
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 200) throw invalid(`\`pubsubPrefix\` must be a string of 1 to 200 characters, got ${JSON.stringify(prefix) ?? String(prefix)}`)
  return prefix
}
