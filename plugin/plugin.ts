import type { FastifyInstance, FastifyPluginAsync, FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'
import { RpcConfigurationError } from './configuration-error'
import { buildDispatcher } from './dispatch/dispatcher'
import { explorerRoute } from './explorer-route'
import { httpTransport } from './transports/http-transport'
import type { JSONSchemaObject } from './contracts/json-schema'
import { normalizeOptions, type RpcPluginOptions } from './options'
import { withDiscovery } from './registration/discovery'
import { mountedPath, mountOptions } from './mount-path'
import type { RpcRegistry } from './contracts/method-entry'
import { buildRegistry, methodsWithUnknownParamTypes } from './registration/build-registry'
import { buildWebSocketHandler, warnIfWsReadsMore } from './transports/websocket-transport'
import type { Telemetry } from './telemetry'
import { buildRateLimitAdmission } from './rate-limit/call-limits'
import { inProcessHubOf } from './pubsub/in-process-hub'
import { RedisHub } from './pubsub/redis-hub'
import { openRedis } from './pubsub/redis-connection'
import { buildTopics } from './pubsub/topics'
import type { TopicHub } from './pubsub/topic-hub'
import { buildServerApi } from './pubsub/endpoint-registry'
import type { RpcServerApi } from './fastify-augmentation'

const fastifyJsonRpc: FastifyPluginAsync<RpcPluginOptions> = async function fastifyJsonRpc (fastify, rawOptions) {
  const options = normalizeOptions(rawOptions)
  // Schemas the app added with fastify.addSchema before registering the plugin, for `$ref`.
  const sharedSchemas = Object.values(fastify.getSchemas()) as JSONSchemaObject[]
  const methods = buildRegistry(options.services, { defaultTimeout: options.timeout, guards: options.guards, sharedSchemas, maxParams: options.maxParams })
  warnOfUncheckedParams(fastify, methods)
  const registry = options.openrpcInfo === undefined
    ? methods
    : withDiscovery(methods, { info: options.openrpcInfo, sharedSchemas, guards: options.guards, timeout: options.timeout })
  // The endpoint's URL names its channels and limit keys by default: two instances on two paths keep apart.
  const endpointUrl = mountedPath({ prefix: joinPrefix(fastify.prefix, (rawOptions as { prefix?: string }).prefix) }, options.path)
  const namespace = options.pubsubPrefix ?? `fastify-jsonrpc:${endpointUrl}:`
  const redis = options.redis === undefined ? undefined : await openRedis(options.redis, fastify.log)
  const hub: TopicHub = redis === undefined ? inProcessHubOf(fastify.server, fastify.log) : new RedisHub(redis, fastify.log)
  if (redis !== undefined) fastify.addHook('onClose', async () => { await hub.close() })
  const topics = buildTopics(hub, namespace)
  serverApiOf(fastify).add(endpointUrl, topics)
  const admission = buildRateLimitAdmission(registry, options.rateLimit, { redis: redis?.commands, keyPrefix: `${namespace}rl:`, log: fastify.log })
  const telemetry = options.telemetry ? await loadTelemetry(fastify) : undefined
  const dispatcher = buildDispatcher(registry, {
    admission,
    observer: telemetry?.dispatch,
    maxBatchSize: options.maxBatchSize,
    batchConcurrency: options.batchConcurrency,
    maxInFlight: options.maxInFlight,
    jsonBody: {
      onProtoPoisoning: fastify.initialConfig.onProtoPoisoning ?? 'error',
      onConstructorPoisoning: fastify.initialConfig.onConstructorPoisoning ?? 'error'
    }
  })
  const bodyLimit = options.bodyLimit ?? fastify.initialConfig.bodyLimit ?? 1048576
  // Every route of the plugin lives in this child scope, registered with the
  // plugin's own `prefix` and `logLevel` (see mount-path.ts).
  await fastify.register(async function rpcEndpoint (scope) {
    if (options.websocket !== undefined) {
      if (!scope.hasDecorator('websocketServer')) {
        warnOfSecondWebSocketPlugin(fastify)
        await scope.register(await loadWebSocketPlugin(), { options: { maxPayload: bodyLimit } })
      } else warnIfWsReadsMore(scope.getDecorator('websocketServer'), bodyLimit, scope.log)
    }
    httpTransport(scope, {
      dispatcher,
      path: options.path,
      httpStatus: options.httpStatus,
      bodyLimit,
      observer: telemetry?.transport,
      websocketHandler: options.websocket === undefined
        ? undefined
        : buildWebSocketHandler(dispatcher, { maxInFlight: options.batchConcurrency, maxQueued: options.maxBatchSize, bodyLimit, limits: options.websocket, observer: telemetry?.transport, topics })
    })
    if (options.explorerPath !== undefined) {
      explorerRoute(scope, { rpcPath: options.path, explorerPath: options.explorerPath, websocket: options.websocket !== undefined })
    }
  }, mountOptions(rawOptions))
}

/** `fastify.rpc`, decorated by the first instance in (or above) this scope; later ones add their endpoint to it. */
function serverApiOf (fastify: FastifyInstance): ReturnType<typeof buildServerApi> {
  if (fastify.hasDecorator('rpc')) return fastify.getDecorator<RpcServerApi>('rpc') as ReturnType<typeof buildServerApi>
  const api = buildServerApi()
  fastify.decorate('rpc', api)
  return api
}

function joinPrefix (outer: string, own: string | undefined): string {
  if (own === undefined || own === '') return outer
  return outer.endsWith('/') && own.startsWith('/') ? outer + own.slice(1) : outer + own
}

/**
 * Without `design:paramtypes` (a build by esbuild, tsx, Vite, or swc without decoratorMetadata) a method's
 * params are served unchecked; one line at start-up says which and how to fix it.
 */
function warnOfUncheckedParams (fastify: FastifyInstance, methods: RpcRegistry): void {
  const unchecked = methodsWithUnknownParamTypes(methods)
  if (unchecked.length === 0) return
  fastify.log.warn({ methods: unchecked },
    `fastify-jsonrpc: the parameter types of ${unchecked.join(', ')} are unknown (no design:paramtypes metadata), ` +
    'so their params are not type-checked; build the services with tsc and "emitDecoratorMetadata": true, ' +
    'or give each parameter a JSON Schema in @rpcMethod({ params })')
}

/** Servers on which an instance of this plugin registered @fastify/websocket itself. */
const serversWithOwnWebSocket = new WeakSet<object>()

/**
 * Each @fastify/websocket registration listens to the server's upgrades, so a
 * second plugin instance bringing its own makes every upgrade log a failure.
 */
function warnOfSecondWebSocketPlugin (fastify: FastifyInstance): void {
  if (serversWithOwnWebSocket.has(fastify.server)) {
    fastify.log.warn('fastify-jsonrpc: a second instance with `websocket: true` registers its own @fastify/websocket on the same server, ' +
      'and every WebSocket upgrade will then log "websocket upgrade failed"; register @fastify/websocket once in the app, before the instances')
  }
  serversWithOwnWebSocket.add(fastify.server)
}

/**
 * `@opentelemetry/api` is an optional peer: without it there is no SDK to
 * report to either, so telemetry stays off without a word.
 */
async function loadTelemetry (fastify: FastifyInstance): Promise<Telemetry | undefined> {
  let telemetryModule: typeof import('./telemetry')
  try {
    telemetryModule = await import('./telemetry')
  } catch (error) {
    /* c8 ignore next 2 -- only an install without @opentelemetry/api gets here; the test suite has it */
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes('@opentelemetry/api')) return undefined
    throw error
  }
  return telemetryModule.buildTelemetry(fastify.log)
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
