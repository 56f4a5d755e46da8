import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RpcConfigurationError } from './configuration-error'

export interface ExplorerRouteOptions {
  /** The path the RPC route is served on (prefix included, if the plugin adds one itself). */
  rpcPath: string
  /** Where the page goes below `rpcPath`: `/explorer` by default. */
  explorerPath: string
  /** Whether the endpoint also speaks WebSocket: the page then offers to connect. */
  websocket: boolean
}

/**
 * The page may load and connect only to its own origin: no inline script or
 * style, no plugin, no frame around it, no form sent anywhere. `'self'` also
 * covers WebSocket connections to the same host and port.
 */
export const EXPLORER_CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'"

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml'
}

interface Asset {
  readonly body: Buffer
  readonly type: string
  readonly etag: string
}

function asset (body: Buffer, name: string): Asset {
  const type = CONTENT_TYPES[extname(name)] ?? 'application/octet-stream'
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
}

/**
 * The built assets sit in `dist/` of the package root; this module runs from
 * `dist/plugin/` once compiled and from `plugin/` under a TypeScript loader,
 * so the root is found by looking up rather than by a fixed number of `..`.
 */
function findPackageRoot (): string {
  let dir = __dirname
  for (let level = 0; level < 5; level++) {
    if (existsSync(join(dir, 'dist', 'explorer', 'index.html'))) return dir
    dir = dirname(dir)
  }
  throw new RpcConfigurationError('FST_JSONRPC_INVALID_OPTION',
    'fastify-jsonrpc: `explorer` is on but its built page is missing (dist/explorer): run `npm run build` in a checkout of fastify-jsonrpc')
}

function escapeAttribute (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * The endpoint's URL relative to the page's folder (`<rpc>/<explorer>/`), so
 * that the page keeps working behind a proxy that mounts the app elsewhere:
 * one `..` per segment of the explorer path; for an RPC path that does not
 * end in `/`, one more to leave its last segment, then that segment again
 * (`/rpc` + `/explorer` -> `../../rpc`; `/` + `/explorer` -> `../`).
 */
export function endpointFromPage (rpcPath: string, explorerPath: string): string {
  const depth = explorerPath.split('/').length - 1
  if (rpcPath.endsWith('/')) return '../'.repeat(depth)
  return `${'../'.repeat(depth + 1)}${rpcPath.slice(rpcPath.lastIndexOf('/') + 1)}`
}

/** Reads and prepares every asset once, at registration: a request only picks one from a map. */
function loadAssets (options: ExplorerRouteOptions): Map<string, Asset> {
  const root = findPackageRoot()
  const pageDir = join(root, 'dist', 'explorer')
  const assets = new Map<string, Asset>()
  for (const name of readdirSync(pageDir)) {
    if (name === 'index.html' || CONTENT_TYPES[extname(name)] === undefined) continue
    assets.set(name, asset(readFileSync(join(pageDir, name)), name))
  }
  const clientBundle = join(root, 'dist', 'browser', 'client.mjs')
  assets.set('client.mjs', asset(readFileSync(clientBundle), 'client.mjs'))
  const html = readFileSync(join(pageDir, 'index.html'), 'utf8')
    .replace('%ENDPOINT%', escapeAttribute(endpointFromPage(options.rpcPath, options.explorerPath)))
    .replace('%WEBSOCKET%', options.websocket ? 'on' : 'off')
  assets.set('', asset(Buffer.from(html), 'index.html'))
  return assets
}

function send (request: FastifyRequest, reply: FastifyReply, found: Asset): FastifyReply {
  reply
    .header('content-security-policy', EXPLORER_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    // Revalidated on each load (cheap: a 304 by ETag), so an upgrade is never half-cached.
    .header('cache-control', 'no-cache')
    .header('etag', found.etag)
  if (request.headers['if-none-match'] === found.etag) return reply.code(304).send()
  return reply.type(found.type).send(found.body)
}

/**
 * Serves the API explorer: the page at `<rpcPath><explorerPath>/` and its
 * assets beside it (the page's script, its style, the browser build of
 * RpcClient). The page itself reads `rpc.discover` and calls the endpoint;
 * nothing is fetched from anywhere else.
 */
export function explorerRoute (scope: FastifyInstance, options: ExplorerRouteOptions): void {
  const assets = loadAssets(options)
  const base = `${options.rpcPath.replace(/\/$/, '')}${options.explorerPath}`
  const folder = `${options.explorerPath.slice(options.explorerPath.lastIndexOf('/') + 1)}/`
  const page = assets.get('') as Asset

  scope.get(base, async function explorerPage (request, reply) {
    // With ignoreTrailingSlash, `<base>/` also lands here: that one is the page.
    if (request.url.split('?')[0].endsWith('/')) return send(request, reply, page)
    // Relative, so that it holds behind a proxy that mounts the app under another path.
    return reply.code(301).header('location', folder).send()
  })
  scope.get(`${base}/*`, async function explorerAsset (request, reply) {
    const name = (request.params as { '*': string })['*']
    const found = assets.get(name)
    if (found === undefined) return reply.callNotFound()
    return send(request, reply, found)
  })
}
