import { rpcContext, rpcMethod, type RpcConnection, type RpcContext } from '../plugin'
import { INVALID_PARAMS, RpcError } from '../protocol'

/** The demo's answer when a subscription is asked for over plain HTTP. */
export const NEEDS_WEBSOCKET = -32010

interface Subscriptions {
  readonly timers: Map<string, NodeJS.Timeout>
}

/** The topic of the demo's shared ticks, published once per tick for every process (demo/tick-publisher.ts). */
export const TICKS_TOPIC = 'ticks'

/**
 * A server-push demo: `watch_ticks` subscribes the connection to the shared
 * `ticks` topic (one `tick` notification per second for every subscriber,
 * whichever process it is connected to, when the demo runs with REDIS_URL);
 * `subscribe_ticker` sends the caller a `ticker`
 * notification every `intervalMs` until it unsubscribes or disconnects.
 */
export class TickerService {
  static readonly maxSubscriptionsPerConnection = 5
  static readonly minIntervalMs = 50

  private readonly byConnection = new WeakMap<RpcConnection, Subscriptions>()
  private nextId = 1

  @rpcMethod()
  subscribe_ticker (intervalMs = 1000, @rpcContext() context?: RpcContext): string {
    const connection = context?.connection
    if (connection === undefined) throw new RpcError(NEEDS_WEBSOCKET, 'Subscriptions need a WebSocket connection')
    if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs)) throw new RpcError(INVALID_PARAMS, 'Invalid params', [{ path: '/intervalMs', message: 'must be a number' }])
    const subscriptions = this.subscriptionsOf(connection)
    if (subscriptions.timers.size >= TickerService.maxSubscriptionsPerConnection) {
      throw new RpcError(-32011, 'Too many subscriptions', { max: TickerService.maxSubscriptionsPerConnection })
    }
    const subscription = `ticker-${this.nextId++}`
    let seq = 0
    const timer = setInterval(() => {
      seq++
      connection.notify('ticker', { subscription, seq, time: new Date().toISOString() })
    }, Math.min(Math.max(intervalMs, TickerService.minIntervalMs), 60_000))
    subscriptions.timers.set(subscription, timer)
    return subscription
  }

  @rpcMethod()
  unsubscribe_ticker (subscription: string, @rpcContext() context?: RpcContext): boolean {
    const connection = context?.connection
    const timers = connection === undefined ? undefined : this.byConnection.get(connection)?.timers
    const timer = timers?.get(subscription)
    if (timer === undefined) return false
    clearInterval(timer)
    timers?.delete(subscription)
    return true
  }

  /** Joins the shared `ticks` topic: a `tick` notification `{ seq, time, publisher }` each tick, from whichever process publishes. */
  @rpcMethod()
  watch_ticks (@rpcContext() context?: RpcContext): boolean {
    const connection = context?.connection
    if (connection === undefined) throw new RpcError(NEEDS_WEBSOCKET, 'Subscriptions need a WebSocket connection')
    const unsubscribe = connection.subscribe(TICKS_TOPIC)
    this.leaveTicks.set(connection, unsubscribe)
    return true
  }

  @rpcMethod()
  unwatch_ticks (@rpcContext() context?: RpcContext): boolean {
    const connection = context?.connection
    const unsubscribe = connection === undefined ? undefined : this.leaveTicks.get(connection)
    if (connection === undefined || unsubscribe === undefined) return false
    unsubscribe()
    this.leaveTicks.delete(connection)
    return true
  }

  private readonly leaveTicks = new WeakMap<RpcConnection, () => void>()

  private subscriptionsOf (connection: RpcConnection): Subscriptions {
    let subscriptions = this.byConnection.get(connection)
    if (subscriptions === undefined) {
      const created: Subscriptions = { timers: new Map() }
      connection.onClose(() => {
        for (const timer of created.timers.values()) clearInterval(timer)
        created.timers.clear()
      })
      this.byConnection.set(connection, created)
      subscriptions = created
    }
    return subscriptions
  }
}
