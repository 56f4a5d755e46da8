import type { Redis, RedisOptions } from 'ioredis'
import { RpcConfigurationError } from '../configuration-error'
import type { FastifyBaseLogger as RpcLogger } from 'fastify'

/**
 * The `redis` option: a `redis://` or `rediss://` URL (the plugin opens and
 * closes its own connections), or an ioredis client the app made (the plugin
 * uses it for commands, opens one duplicate of it for subscriptions, and
 * closes only that duplicate). Typed structurally so that apps without
 * ioredis installed compile.
 */
export type RedisOption = string | { readonly status: string, duplicate: (...args: never[]) => unknown }

/** Milliseconds one command may take on connections the plugin opens (a publish, a limit check). */
export const REDIS_COMMAND_TIMEOUT_MS = 1000
/** Milliseconds registration waits for a first connection; past it the plugin starts anyway and keeps retrying. */
export const REDIS_CONNECT_WAIT_MS = 3000

/** Reconnection backoff: 100 ms doubling to at most 2 s, a little jitter so processes do not reconnect in step. */
export function reconnectDelay (attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000) + Math.floor(Math.random() * 100)
}

export interface RedisConnections {
  /** Publishes and rate-limit commands. */
  readonly commands: Redis
  /** In subscriber mode: SUBSCRIBE / UNSUBSCRIBE and the messages. */
  readonly subscriber: Redis
  /** Closes the connections the plugin opened, never the app's. */
  close: () => Promise<void>
}

function invalid (message: string): RpcConfigurationError {
  return new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION', `fastify-jsonrpc: ${message}`)
}

export function checkRedisOption (option: unknown): RedisOption | undefined {
  if (option === undefined) return undefined
  if (typeof option === 'string') {
    if (!/^rediss?:\/\//.test(option)) throw invalid(`\`redis\` must be a redis:// or rediss:// URL or an ioredis client, got ${JSON.stringify(option)}`)
    return option
  }
  if (typeof option === 'object' && option !== null && typeof (option as { duplicate?: unknown }).duplicate === 'function') return option as RedisOption
  throw invalid('`redis` must be a redis:// or rediss:// URL or an ioredis client')
}

/** ioredis is an optional peer: only apps that set `redis` need it. */
async function loadIoredis (): Promise<typeof import('ioredis').Redis> {
  try {
    return (await import('ioredis')).Redis
  } catch {
    throw invalid('`redis` needs the ioredis package: npm install ioredis')
  }
}

/** Errors are logged when a connection goes down and when it is back, not on every retry. */
function watch (client: Redis, role: string, log: RpcLogger): void {
  let down = false
  client.on('error', (error: Error) => {
    if (down) return
    down = true
    log.warn({ err: error, role }, `fastify-jsonrpc: lost the Redis ${role} connection; reconnecting with backoff`)
  })
  client.on('ready', () => {
    if (!down) return
    down = false
    log.info({ role }, `fastify-jsonrpc: the Redis ${role} connection is back`)
  })
}

async function firstConnect (clients: Redis[], log: RpcLogger): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const waited = new Promise<void>(resolve => { timer = setTimeout(resolve, REDIS_CONNECT_WAIT_MS) })
  const connected = Promise.all(clients.map(async client => await client.connect()))
  try {
    await Promise.race([connected, waited])
  } catch (error) {
    log.warn({ err: error }, 'fastify-jsonrpc: Redis is unreachable at start-up; serving anyway, publishes and shared limits fail until it answers')
  } finally {
    clearTimeout(timer)
    // A connect still pending past the wait settles later; its failure was logged by watch().
    connected.catch(() => {})
  }
}

export async function openRedis (option: RedisOption, log: RpcLogger): Promise<RedisConnections> {
  const Redis = await loadIoredis()
  const subscriberOptions: RedisOptions = {
    lazyConnect: true,
    // Subscribing while Redis is down waits for the reconnection instead of failing; ioredis resubscribes every channel on reconnect.
    enableOfflineQueue: true,
    autoResubscribe: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    retryStrategy: reconnectDelay
  }
  if (typeof option === 'string') {
    const commands = new Redis(option, {
      lazyConnect: true,
      // While Redis is down a command fails at once (a publish rejects, a limit check falls back): nothing piles up.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: REDIS_CONNECT_WAIT_MS,
      retryStrategy: reconnectDelay
    })
    const subscriber = commands.duplicate(subscriberOptions)
    watch(commands, 'command', log)
    watch(subscriber, 'subscriber', log)
    await firstConnect([commands, subscriber], log)
    return { commands, subscriber, close: async () => { commands.disconnect(); subscriber.disconnect() } }
  }
  const commands = option as unknown as Redis
  const subscriber = commands.duplicate(subscriberOptions)
  watch(subscriber, 'subscriber', log)
  await firstConnect([subscriber], log)
  return { commands, subscriber, close: async () => { subscriber.disconnect() } }
}
