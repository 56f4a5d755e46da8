import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { createDispatcher } from './dispatcher'
import { httpTransport } from './http-transport'
import type { JSONSchemaObject } from './json-schema'
import { normalizeOptions, type RpcPluginOptions } from './options'
import { buildRegistry } from './registry'

const fastifyJsonRpc: FastifyPluginAsync<RpcPluginOptions> = async function fastifyJsonRpc (fastify, rawOptions) {
  const options = normalizeOptions(rawOptions)
  // Schemas the app added with fastify.addSchema before registering the plugin, for `$ref`.
  const sharedSchemas = Object.values(fastify.getSchemas()) as JSONSchemaObject[]
  const registry = buildRegistry(options.services, { defaultTimeout: options.timeout, sharedSchemas })
  const dispatcher = createDispatcher(registry, {
    maxBatchSize: options.maxBatchSize,
    batchConcurrency: options.batchConcurrency,
    jsonBody: {
      onProtoPoisoning: fastify.initialConfig.onProtoPoisoning ?? 'error',
      onConstructorPoisoning: fastify.initialConfig.onConstructorPoisoning ?? 'error'
    }
  })
  await fastify.register(httpTransport, {
    dispatcher,
    path: options.path,
    httpStatus: options.httpStatus,
    bodyLimit: options.bodyLimit
  })
}

/** Serves the `@rpcMethod()` methods of `options.services` as JSON-RPC 2.0 on `POST options.path`. */
export const rpcPlugin = fp(fastifyJsonRpc, { fastify: '5.x', name: 'fastify-jsonrpc' })
