import type { JsonRpcParams } from '../protocol/messages'

/** Server push from anywhere in the app, for one plugin instance (one endpoint). */
export interface RpcEndpointPublisher {
  /**
   * Sends the notification `{"jsonrpc":"2.0","method","params"}` to every
   * WebSocket connection subscribed to `topic` (`ctx.connection.subscribe`),
   * on every process sharing the `redis` broker (this process only without
   * it). Resolves once the broker took it; rejects with a PublishError
   * (code FST_JSONRPC_PUBLISH_FAILED) when Redis is unreachable. At most once.
   */
  publish: (topic: string, method: string, params?: JsonRpcParams) => Promise<void>
  /** Subscriptions held by this process's connections (every instance sharing the hub). */
  readonly localSubscriptions: number
}

/** `fastify.rpc`: the app's handle on its fastify-jsonrpc endpoints. */
export interface RpcServerApi extends RpcEndpointPublisher {
  /** The endpoint served at `url` (mount prefix + `path`, such as "/v2/rpc"), when the app registered several instances; `publish` on `fastify.rpc` itself needs exactly one. */
  endpoint: (url: string) => RpcEndpointPublisher
}

// The package's only augmentation of Fastify's types.
declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the fastify-jsonrpc plugin. */
    rpc: RpcServerApi
  }
}
