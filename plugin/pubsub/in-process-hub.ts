import type { FastifyBaseLogger as RpcLogger } from 'fastify'
import { LocalSubscribers, type Delivery, type TopicHub } from './topic-hub'

/** The default hub: one process, no broker; publishing delivers at once, in order. */
export class InProcessHub implements TopicHub {
  private readonly subscribers = new LocalSubscribers()

  constructor (private readonly log: RpcLogger) {}

  get localSubscriptions (): number {
    return this.subscribers.size
  }

  subscribe (channel: string, deliver: Delivery): () => void {
    this.subscribers.add(channel, deliver)
    return () => { this.subscribers.remove(channel, deliver) }
  }

  async publish (channel: string, text: string): Promise<void> {
    this.subscribers.deliver(channel, text, this.deliveryFailed)
  }

  async close (): Promise<void> {}

  private readonly deliveryFailed = (error: unknown): void => {
    this.log.error({ err: error }, 'fastify-jsonrpc: delivering a published message failed')
  }
}

/** Plugin instances of one server share its in-process hub, so that instances given the same `pubsubPrefix` share topics as they would through Redis. */
const hubsByServer = new WeakMap<object, InProcessHub>()

export function inProcessHubOf (server: object, log: RpcLogger): InProcessHub {
  let hub = hubsByServer.get(server)
  if (hub === undefined) {
    hub = new InProcessHub(log)
    hubsByServer.set(server, hub)
  }
  return hub
}
