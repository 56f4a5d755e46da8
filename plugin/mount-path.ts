import type { FastifyInstance, RegisterOptions } from 'fastify'
import { RpcConfigurationError } from './configuration-error'

/**
 * fastify-plugin runs a wrapped plugin in its parent's scope and so skips the
 * `prefix`, `logLevel` and `logSerializers` it was registered with. The plugin
 * hands them to the child scope that holds its routes, where Fastify applies
 * them as it would for any encapsulated plugin (after the parent's prefix).
 */
export function mountOptions (rawOptions: object): RegisterOptions {
  const { prefix, logLevel, logSerializers } = rawOptions as Record<string, unknown>
  if (prefix !== undefined && typeof prefix !== 'string') {
    throw new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION', `fastify-jsonrpc: \`prefix\` must be a string, got ${JSON.stringify(prefix) ?? String(prefix)}`)
  }
  // Fastify itself checks the level against the logger's levels when the routes are added.
  const mount: RegisterOptions = {}
  if (prefix !== undefined) mount.prefix = prefix
  if (logLevel !== undefined) mount.logLevel = logLevel as RegisterOptions['logLevel']
  if (logSerializers !== undefined) mount.logSerializers = logSerializers as RegisterOptions['logSerializers']
  return mount
}

/**
 * The URL path where a route registered in `scope` at `path` is served: the
 * scope's whole prefix (the app's prefixed scopes, then the plugin's own
 * `prefix`) joined to `path` the way Fastify joins them. Every route of the
 * plugin (the RPC endpoint, the WebSocket upgrade, the explorer) is registered
 * in the plugin's child scope, so this is also what a page or a log must show
 * to reach it.
 */
export function mountedPath (scope: Pick<FastifyInstance, 'prefix'>, path: string): string {
  const prefix = scope.prefix
  if (prefix === '') return path
  // Fastify serves `path: '/'` under a prefix at the bare prefix (and at prefix + '/').
  if (path === '/') return prefix
  return prefix.endsWith('/') ? prefix + path.slice(1) : prefix + path
}
