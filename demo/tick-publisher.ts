import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { TICKS_TOPIC } from '../services/ticker-service'

export interface TickPublisherOptions {
  /** Milliseconds between ticks. */
  intervalMs: number
  /** With Redis, one process of all those sharing it publishes: the holder of a lease in Redis. */
  redis?: Redis
}

const LEASE_KEY = 'fastify-jsonrpc-demo:tick-publisher'

/**
 * Publishes a `tick` on the `ticks` topic every interval. Alone (no Redis)
 * each process ticks for its own clients. With Redis every process runs this
 * loop but only the holder of a short lease (SET NX PX, renewed each tick)
 * publishes, so subscribers get each tick once whichever worker or machine
 * they are on, and when the publisher dies another takes over within three
 * intervals. (The cluster primary or "worker 1" would not survive that
 * worker's restart, nor span machines.)
 */
export function startTickPublisher (app: FastifyInstance, options: TickPublisherOptions): void {
  const { intervalMs, redis } = options
  const me = `${process.pid}-${Math.random().toString(36).slice(2)}`
  const leaseMs = intervalMs * 3
  let seq = 0

  async function holdsLease (): Promise<boolean> {
    if (redis === undefined) return true
    if (await redis.set(LEASE_KEY, me, 'PX', leaseMs, 'NX') === 'OK') return true
    if (await redis.get(LEASE_KEY) !== me) return false
    await redis.pexpire(LEASE_KEY, leaseMs)
    return true
  }

  const timer = setInterval(() => {
    holdsLease()
      .then(async publisher => {
        if (!publisher) return
        seq++
        await app.rpc.publish(TICKS_TOPIC, 'tick', { seq, time: new Date().toISOString(), publisher: process.pid })
      })
      // At most once: a tick lost to an outage is not sent again; the next one follows.
      .catch((error: unknown) => { app.log.warn({ err: error }, 'demo: a tick was not published') })
  }, intervalMs)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}
