/** Hands one published message (the notification's JSON text) to one local subscriber. */
export type Delivery = (text: string) => void

/**
 * Where published messages meet subscribers, by channel name. The in-process
 * hub reaches this process only; the Redis hub every process sharing the
 * broker. Delivery is at most once and keeps the order of one channel.
 */
export interface TopicHub {
  /** Adds a local subscriber; the returned function removes it (calling it again does nothing). */
  subscribe: (channel: string, deliver: Delivery) => () => void
  /** Resolves once the broker took the message; rejects with a PublishError when it cannot. */
  publish: (channel: string, text: string) => Promise<void>
  /** Subscribers currently held in this process, summed over channels (for tests and metrics). */
  readonly localSubscriptions: number
  /** Frees what the hub holds (its own Redis connections). */
  close: () => Promise<void>
}

/** A publish that did not reach the broker: nobody received it. */
export class PublishError extends Error {
  readonly code = 'FST_JSONRPC_PUBLISH_FAILED'

  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PublishError'
  }
}

/** The local subscribers of each channel; shared by both hubs. */
export class LocalSubscribers {
  private readonly byChannel = new Map<string, Set<Delivery>>()
  private count = 0

  get size (): number {
    return this.count
  }

  /** True when `deliver` is the channel's first local subscriber. */
  add (channel: string, deliver: Delivery): boolean {
    let set = this.byChannel.get(channel)
    const first = set === undefined
    if (set === undefined) {
      set = new Set()
      this.byChannel.set(channel, set)
    }
    if (!set.has(deliver)) {
      set.add(deliver)
      this.count++
    }
    return first
  }

  /** True when the channel has no local subscriber left. */
  remove (channel: string, deliver: Delivery): boolean {
    const set = this.byChannel.get(channel)
    if (set === undefined || !set.delete(deliver)) return false
    this.count--
    if (set.size > 0) return false
    this.byChannel.delete(channel)
    return true
  }

  channels (): IterableIterator<string> {
    return this.byChannel.keys()
  }

  /**
   * A subscriber that throws does not stop the others. A Set visits what is
   * added during the loop too, so a copy is not needed for removals (a slow
   * reader closed by its own delivery unsubscribes itself mid-loop).
   */
  deliver (channel: string, text: string, onError: (error: unknown) => void): void {
    const set = this.byChannel.get(channel)
    if (set === undefined) return
    for (const deliver of set) {
      try {
        deliver(text)
      } catch (error) {
        onError(error)
      }
    }
  }
}
