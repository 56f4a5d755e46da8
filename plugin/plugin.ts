import type { FastifyPluginAsync, FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'
import { RpcConfigurationError } from './configuration-error'
import { createDispatcher } from './dispatcher'
import { explorerRoute } from './explorer-route'
import { httpTransport } from './http-transport'
import type { JSONSchemaObject } from './json-schema'
import { normalizeOptions, type RpcPluginOptions } from './options'
import { withDiscovery } from './discovery'
import { buildRegistry } from './registry'
import { createWebSocketHandler, warnIfWsReadsMore } from './websocket-transport'

const fastifyJsonRpc: FastifyPluginAsync<RpcPluginOptions> = async function fastifyJsonRpc (fastify, rawOptions) {
  const options = normalizeOptions(rawOptions)
  // Schemas the app added with fastify.addSchema before registering the plugin, for `$ref`.
  const sharedSchemas = Object.values(fastify.getSchemas()) as JSONSchemaObject[]
  const methods = buildRegistry(options.services, { defaultTimeout: options.timeout, guards: options.guards, sharedSchemas, maxParams: options.maxParams })
  const registry = options.openrpcInfo === undefined
    ? methods
    : withDiscovery(methods, { info: options.openrpcInfo, sharedSchemas, guards: options.guards, timeout: options.timeout })
  const dispatcher = createDispatcher(registry, {
    maxBatchSize: options.maxBatchSize,
    batchConcurrency: options.batchConcurrency,
    maxInFlight: options.maxInFlight,
    jsonBody: {
      onProtoPoisoning: fastify.initialConfig.onProtoPoisoning ?? 'error',
      onConstructorPoisoning: fastify.initialConfig.onConstructorPoisoning ?? 'error'
    }
  })
  const bodyLimit = options.bodyLimit ?? fastify.initialConfig.bodyLimit ?? 1048576
  await fastify.register(async function rpcEndpoint (scope) {
    if (options.websocket !== undefined) {
      if (!scope.hasDecorator('websocketServer')) await scope.register(await loadWebSocketPlugin(), { options: { maxPayload: bodyLimit } })
      else warnIfWsReadsMore(scope.getDecorator('websocketServer'), bodyLimit, scope.log)
    }
    httpTransport(scope, {
      dispatcher,
      path: options.path,
      httpStatus: options.httpStatus,
      bodyLimit: options.bodyLimit,
      websocketHandler: options.websocket === undefined
        ? undefined
        : createWebSocketHandler(dispatcher, { maxInFlight: options.batchConcurrency, maxQueued: options.maxBatchSize, bodyLimit, limits: options.websocket })
    })
    if (options.explorerPath !== undefined) {
      explorerRoute(scope, { rpcPath: options.path, explorerPath: options.explorerPath, websocket: options.websocket !== undefined })
    }
  })
}

/** @fastify/websocket is an optional peer: only apps that turn `websocket` on need it. */
async function loadWebSocketPlugin (): Promise<FastifyPluginCallback<{ options: { maxPayload: number } }>> {
  try {
    return (await import('@fastify/websocket')).default as unknown as FastifyPluginCallback<{ options: { maxPayload: number } }>
  } catch {
    throw new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION',
      'fastify-jsonrpc: `websocket: true` needs the @fastify/websocket package: npm install @fastify/websocket')
  }
}

/** Serves the `@rpcMethod()` methods of `options.services` as JSON-RPC 2.0 on `POST options.path`. */
export const rpcPlugin = fp(fastifyJsonRpc, { fastify: '5.x', name: 'fastify-jsonrpc' })
