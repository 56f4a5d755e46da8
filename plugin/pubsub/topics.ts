import type { JsonRpcParams } from '../../protocol/messages'
import type { Delivery, TopicHub } from './topic-hub'

/** The longest topic name, in characters: topics are names, not payloads. */
export const MAX_TOPIC_LENGTH = 256

/** What one plugin instance publishes and its connections subscribe to: the hub, under the instance's channel prefix. */
export interface RpcTopics {
  subscribe: (topic: string, deliver: Delivery) => () => void
  publish: (topic: string, method: string, params?: JsonRpcParams) => Promise<void>
  /** Subscribers held in this process by every instance sharing the hub. */
  readonly localSubscriptions: number
}

export function isTopic (topic: unknown): topic is string {
  return typeof topic === 'string' && topic.length > 0 && topic.length <= MAX_TOPIC_LENGTH
}

export function buildTopics (hub: TopicHub, prefix: string): RpcTopics {
  return {
    subscribe: (topic, deliver) => hub.subscribe(prefix + topic, deliver),
    async publish (topic, method, params) {
      if (!isTopic(topic)) throw new TypeError(`fastify-jsonrpc: a topic is a string of 1 to ${MAX_TOPIC_LENGTH} characters, got ${JSON.stringify(topic) ?? String(topic)}`)
      if (typeof method !== 'string') throw new TypeError('fastify-jsonrpc: the method of a published notification must be a string')
      if (params !== undefined && (typeof params !== 'object' || params === null)) throw new TypeError('fastify-jsonrpc: the params of a published notification must be an array or an object')
      // Encoded once here, sent as is to every subscriber on every process.
      const text = JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params })
      await hub.publish(prefix + topic, text)
    },
    get localSubscriptions () { return hub.localSubscriptions }
  }
}
