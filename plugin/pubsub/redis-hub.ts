import type { Redis } from 'ioredis'
import type { FastifyBaseLogger as RpcLogger } from 'fastify'
import { REDIS_COMMAND_TIMEOUT_MS, type RedisConnections } from './redis-connection'
import { LocalSubscribers, PublishError, type Delivery, type TopicHub } from './topic-hub'

/**
 * Topics through Redis pub/sub: a process subscribes a channel while it has
 * at least one local subscriber to it, and fans each message out to them.
 * Redis keeps the order of one channel per subscriber connection, and each
 * process has one. A message published while a subscriber's connection is
 * down is lost for it (at most once); ioredis reconnects with backoff and
 * resubscribes, and delivery resumes.
 */
export class RedisHub implements TopicHub {
  private readonly subscribers = new LocalSubscribers()
  private readonly commands: Redis
  private readonly subscriber: Redis

  constructor (private readonly connections: RedisConnections, private readonly log: RpcLogger) {
    this.commands = connections.commands
    this.subscriber = connections.subscriber
    this.subscriber.on('message', this.received)
  }

  get localSubscriptions (): number {
    return this.subscribers.size
  }

  subscribe (channel: string, deliver: Delivery): () => void {
    if (this.subscribers.add(channel, deliver)) {
      this.subscriber.subscribe(channel).catch(this.commandFailed('subscribe', channel))
    }
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      if (this.subscribers.remove(channel, deliver)) {
        this.subscriber.unsubscribe(channel).catch(this.commandFailed('unsubscribe', channel))
      }
    }
  }

  async publish (channel: string, text: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    // An app's own client may queue commands while disconnected: the publish still rejects within the bound.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_COMMAND_TIMEOUT_MS} ms`)), REDIS_COMMAND_TIMEOUT_MS)
    })
    try {
      await Promise.race([this.commands.publish(channel, text), timeout])
    } catch (error) {
      throw new PublishError(`fastify-jsonrpc: could not publish to "${channel}": Redis is unreachable (${error instanceof Error ? error.message : String(error)})`, { cause: error })
    } finally {
      clearTimeout(timer)
    }
  }

  async close (): Promise<void> {
    this.subscriber.off('message', this.received)
    await this.connections.close()
  }

  private readonly received = (channel: string, text: string): void => {
    this.subscribers.deliver(channel, text, this.deliveryFailed)
  }

  private readonly deliveryFailed = (error: unknown): void => {
    this.log.error({ err: error }, 'fastify-jsonrpc: delivering a published message failed')
  }

  /** Only when the connection was closed for good (the plugin is closing): an outage queues the command instead. */
  private commandFailed (command: string, channel: string): (error: unknown) => void {
    return error => { this.log.debug({ err: error, channel }, `fastify-jsonrpc: Redis ${command} did not complete`) }
  }
}
