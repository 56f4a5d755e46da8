import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { LIMIT_EXCEEDED, STANDARD_MESSAGES } from '../../protocol/error-codes'
import type { CallAdmission, CallRefusal } from '../contracts/call-admission'
import type { RpcContext } from '../contracts/call-context'
import type { FastifyBaseLogger as RpcLogger } from 'fastify'
import type { RpcRegistry } from '../contracts/method-entry'
import { checkRule, type CallerKey, type NormalizedRateLimits, type NormalizedRule } from './rate-limit-options'

/** What a caller refused because the store is unreachable (`onStoreError: 'refuse'`) is told to wait. */
export const STORE_DOWN_RETRY_MS = 1000

export interface LimitStoreOptions {
  /** An ioredis client for a shared store; in-memory (this process only) when undefined. */
  redis: unknown
  /** Keys start with it, so that two plugin instances (or apps) sharing Redis count apart. */
  keyPrefix: string
  log: RpcLogger
}

interface CallLimit {
  readonly limiter: RateLimiterAbstract
  readonly key: CallerKey
}

function buildLimiter (rule: NormalizedRule, keyPrefix: string, redis: unknown): RateLimiterAbstract {
  if (redis === undefined) return new RateLimiterMemory({ points: rule.points, duration: rule.duration, keyPrefix })
  // rejectIfRedisNotReady: while the connection is down, refuse at once instead of queueing the command.
  return new RateLimiterRedis({ storeClient: redis, points: rule.points, duration: rule.duration, keyPrefix, rejectIfRedisNotReady: true })
}

function refusal (retryAfterMs: number): CallRefusal {
  return { error: { code: LIMIT_EXCEEDED, message: STANDARD_MESSAGES[LIMIT_EXCEEDED], data: { retryAfterMs } }, retryAfterMs }
}

class StoreTimeout extends Error {}

/**
 * The rate limits as a CallAdmission, built once at registration: each
 * method's list of limiters (the plugin-wide one, then its own) is decided
 * here, so a call of an unlimited method costs nothing more. Every call
 * consumes one point of each limiter of its method, in order, so each call of
 * a batch and each notification counts. Returns undefined when no method has
 * a limit.
 */
export function buildRateLimitAdmission (registry: RpcRegistry, limits: NormalizedRateLimits, store: LimitStoreOptions): CallAdmission | undefined {
  const global: CallLimit | undefined = limits.global === undefined
    ? undefined
    : { limiter: buildLimiter(limits.global, `${store.keyPrefix}all`, store.redis), key: limits.global.key }
  const byMethod = new Map<string, readonly CallLimit[]>()
  for (const entry of registry.values()) {
    const own = entry.options.rateLimit === undefined ? undefined : checkRule(entry.options.rateLimit, `@rpcMethod({ rateLimit }) of ${entry.qualifiedName}`, limits.key)
    const list: CallLimit[] = []
    if (global !== undefined) list.push(global)
    if (own !== undefined) list.push({ limiter: buildLimiter(own, `${store.keyPrefix}method:${entry.name}`, store.redis), key: own.key })
    if (list.length > 0) byMethod.set(entry.name, list)
  }
  if (byMethod.size === 0) return undefined
  const { storeTimeoutMs, onStoreError } = limits
  const { log } = store
  let storeDown = false

  /** One consume, bounded in time whatever the store does. */
  async function consume (limit: CallLimit, key: string): Promise<RateLimiterRes> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new StoreTimeout(`the rate limit store did not answer within ${storeTimeoutMs} ms`)), storeTimeoutMs)
    })
    try {
      return await Promise.race([limit.limiter.consume(key, 1), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** An outage is logged when it starts and when it ends, not once per call. */
  function storeFailed (error: unknown): CallRefusal | undefined {
    if (!storeDown) {
      storeDown = true
      log.error({ err: error, onStoreError }, `fastify-jsonrpc: the rate limit store is unreachable; calls are ${onStoreError === 'allow' ? 'let through unlimited' : 'refused'} until it answers again`)
    }
    return onStoreError === 'allow' ? undefined : refusal(STORE_DOWN_RETRY_MS)
  }

  async function check (list: readonly CallLimit[], context: RpcContext<unknown>): Promise<CallRefusal | undefined> {
    for (const limit of list) {
      const key = limit.key(context as RpcContext)
      try {
        await consume(limit, key)
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return refusal(Math.max(0, Math.ceil(rejection.msBeforeNext)))
        return storeFailed(rejection)
      }
      if (storeDown) {
        storeDown = false
        log.info('fastify-jsonrpc: the rate limit store answers again')
      }
    }
    return undefined
  }

  return function rateLimitAdmission (entry) {
    const list = byMethod.get(entry.name)
    return list === undefined ? undefined : async context => await check(list, context)
  }
}
