import type { RpcContext } from '../contracts/call-context'
import type { RateLimitRule } from '../contracts/method-options'
import { RpcConfigurationError } from '../configuration-error'

/** The plugin's `rateLimit` option. */
export interface RateLimitOptions {
  /** With `duration`: every caller may make `points` calls (of any method) per `duration` seconds. */
  points?: number
  /** Seconds of the plugin-wide window. */
  duration?: number
  /** Names the caller, for the plugin-wide limit and every method's own. Default: the client's IP (`request.ip`). */
  key?: (context: RpcContext) => string
  /**
   * What a call gets when the limit store (Redis) cannot answer within
   * `storeTimeoutMs`: `'allow'` lets it run (default: an outage of the
   * limiter does not become an outage of the API), `'refuse'` answers
   * -32005 with `data.retryAfterMs` = STORE_DOWN_RETRY_MS. Logged either way.
   */
  onStoreError?: 'allow' | 'refuse'
  /** Milliseconds a limit check may wait for the store. Default 1000. */
  storeTimeoutMs?: number
}

export type CallerKey = (context: RpcContext) => string

export interface NormalizedRule {
  readonly points: number
  readonly duration: number
  readonly key: CallerKey
}

export interface NormalizedRateLimits {
  /** The plugin-wide limit, or undefined when only methods have their own. */
  readonly global: NormalizedRule | undefined
  readonly key: CallerKey
  readonly onStoreError: 'allow' | 'refuse'
  readonly storeTimeoutMs: number
}

export const DEFAULT_STORE_TIMEOUT_MS = 1000

/** The caller when nothing else names it: the client's address as Fastify reads it (mind `trustProxy`). */
export const byClientIp: CallerKey = context => {
  const ip = (context.request as { ip?: unknown } | undefined)?.ip
  return typeof ip === 'string' ? ip : 'unknown'
}

function invalid (message: string): RpcConfigurationError {
  return new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION', `fastify-jsonrpc: ${message}`)
}

const KNOWN = ['points', 'duration', 'key', 'onStoreError', 'storeTimeoutMs']

/** Checks a `points`/`duration`/`key` triple; `where` names it in the error. */
export function checkRule (rule: unknown, where: string, fallbackKey: CallerKey): NormalizedRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw invalid(`\`${where}\` must be an object { points, duration, key? }`)
  const { points, duration, key } = rule as Partial<RateLimitRule>
  if (typeof points !== 'number' || !Number.isSafeInteger(points) || points < 1) {
    throw invalid(`\`${where}.points\` must be a positive integer, got ${JSON.stringify(points) ?? String(points)}`)
  }
  if (typeof duration !== 'number' || !Number.isSafeInteger(duration) || duration < 1) {
    throw invalid(`\`${where}.duration\` must be a positive whole number of seconds, got ${JSON.stringify(duration) ?? String(duration)}`)
  }
  if (key !== undefined && typeof key !== 'function') throw invalid(`\`${where}.key\` must be a function (context) => string`)
  return { points, duration, key: key ?? fallbackKey }
}

/** Checks the plugin's `rateLimit` option once; undefined when it is not given. */
export function normalizeRateLimit (option: RateLimitOptions | undefined): NormalizedRateLimits {
  if (option === undefined) return { global: undefined, key: byClientIp, onStoreError: 'allow', storeTimeoutMs: DEFAULT_STORE_TIMEOUT_MS }
  if (typeof option !== 'object' || option === null || Array.isArray(option)) throw invalid('`rateLimit` must be an object { points, duration, key, onStoreError, storeTimeoutMs }')
  const unknown = Object.keys(option).find(name => !KNOWN.includes(name))
  if (unknown !== undefined) throw invalid(`unknown option \`rateLimit.${unknown}\` (known: ${KNOWN.join(', ')})`)
  const { onStoreError = 'allow', storeTimeoutMs = DEFAULT_STORE_TIMEOUT_MS } = option
  if (option.key !== undefined && typeof option.key !== 'function') throw invalid('`rateLimit.key` must be a function (context) => string')
  const key = option.key ?? byClientIp
  if (onStoreError !== 'allow' && onStoreError !== 'refuse') throw invalid(`\`rateLimit.onStoreError\` must be "allow" or "refuse", got ${JSON.stringify(onStoreError)}`)
  if (typeof storeTimeoutMs !== 'number' || !Number.isSafeInteger(storeTimeoutMs) || storeTimeoutMs < 1 || storeTimeoutMs > 60_000) {
    throw invalid(`\`rateLimit.storeTimeoutMs\` must be a whole number of milliseconds from 1 to 60000, got ${JSON.stringify(storeTimeoutMs) ?? String(storeTimeoutMs)}`)
  }
  const hasWindow = option.points !== undefined || option.duration !== undefined
  return { global: hasWindow ? checkRule(option, 'rateLimit', key) : undefined, key, onStoreError, storeTimeoutMs }
}
