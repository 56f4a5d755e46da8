import { RpcConfigurationError } from '../configuration-error'
import type { RpcEndpointPublisher, RpcServerApi } from '../fastify-augmentation'

/** Builds the `fastify.rpc` object; each plugin instance adds its endpoint to it. */
export function buildServerApi (): RpcServerApi & { add: (url: string, endpoint: RpcEndpointPublisher) => void } {
  const endpoints = new Map<string, RpcEndpointPublisher>()
  function only (): RpcEndpointPublisher {
    if (endpoints.size === 1) return endpoints.values().next().value as RpcEndpointPublisher
    throw new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION',
      `fastify-jsonrpc: this app serves ${endpoints.size} JSON-RPC endpoints (${[...endpoints.keys()].join(', ')}); say which with fastify.rpc.endpoint(url).publish(...)`)
  }
  return {
    add (url, endpoint) { endpoints.set(url, endpoint) },
    endpoint (url) {
      const endpoint = endpoints.get(url)
      if (endpoint === undefined) throw new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION', `fastify-jsonrpc: no endpoint at ${JSON.stringify(url)} (known: ${[...endpoints.keys()].join(', ')})`)
      return endpoint
    },
    async publish (topic, method, params) { await only().publish(topic, method, params) },
    get localSubscriptions () { return only().localSubscriptions }
  }
}
