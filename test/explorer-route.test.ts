import Fastify from 'fastify'
import { test } from 'tap'
import { rpcPlugin, type RpcPluginOptions } from '../index'
import { EXPLORER_CSP, endpointFromPage } from '../plugin/explorer-route'
import { GreetingService } from '../services'
import { appWith, post } from './fixtures/app'

/** The explorer's routes over HTTP (no browser): where the page is, what it is served with, and the option's checks. */
const services = [new GreetingService()]

test('the explorer is off by default', async t => {
  const app = await appWith(t, { services })
  t.equal((await app.inject('/rpc/explorer/')).statusCode, 404)
  t.equal((await app.inject('/rpc/explorer/client.mjs')).statusCode, 404)
})

test('explorer: true serves the page at <path>/explorer/ with a strict CSP', async t => {
  const app = await appWith(t, { services, explorer: true })
  const redirect = await app.inject('/rpc/explorer')
  t.equal(redirect.statusCode, 301)
  t.equal(redirect.headers.location, 'explorer/', 'a relative redirect to the folder URL, so it holds behind a proxy')
  t.equal((await app.inject('/rpc/explorer?x=1')).headers.location, 'explorer/')

  const page = await app.inject('/rpc/explorer/')
  t.equal(page.statusCode, 200)
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(page.headers['content-security-policy'], EXPLORER_CSP)
  t.match(EXPLORER_CSP, /^default-src 'self';/)
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['referrer-policy'], 'no-referrer')
  t.match(page.body, '<meta name="fastify-jsonrpc-endpoint" content="../../rpc">')
  t.match(page.body, '<meta name="fastify-jsonrpc-websocket" content="off">')
  t.notMatch(page.body, /<script(?![^>]*\bsrc=)/, 'no inline script')
  t.notMatch(page.body, /<style|\sstyle=/, 'no inline style')
  t.notMatch(page.body, /(src|href)="(https?:)?\/\//, 'nothing from another host')

  for (const [asset, type] of [['main.js', 'text/javascript; charset=utf-8'], ['client.mjs', 'text/javascript; charset=utf-8'], ['explorer.css', 'text/css; charset=utf-8'], ['favicon.svg', 'image/svg+xml']]) {
    const response = await app.inject(`/rpc/explorer/${asset}`)
    t.equal(response.statusCode, 200, asset)
    t.equal(response.headers['content-type'], type, `${asset} type`)
    t.equal(response.headers['content-security-policy'], EXPLORER_CSP, `${asset} CSP`)
  }
  t.match((await app.inject('/rpc/explorer/client.mjs')).body, /export \{[^}]*\bRpcClient\b/, 'the browser build of RpcClient is one ES module')
  t.notMatch((await app.inject('/rpc/explorer/client.mjs')).body, /\brequire\(/, 'with no CommonJS left in it')
  const head = await app.inject({ method: 'HEAD', url: '/rpc/explorer/main.js' })
  t.equal(head.statusCode, 200)
  t.equal(head.body, '')
})

test('the explorer answers 404 for any other name, and never reads a file by the name asked', async t => {
  const app = await appWith(t, { services, explorer: true })
  for (const url of ['/rpc/explorer/nope.js', '/rpc/explorer/index.html', '/rpc/explorer/../package.json', '/rpc/explorer/%2e%2e%2fpackage.json', '/rpc/explorer/client.d.mts', '/rpc/explorer/main.js/x']) {
    t.equal((await app.inject(url)).statusCode, 404, url)
  }
})

test('an asset asked again with its ETag gets 304', async t => {
  const app = await appWith(t, { services, explorer: true })
  const first = await app.inject('/rpc/explorer/main.js')
  t.match(first.headers.etag, /^"[A-Za-z0-9_-]{27}"$/)
  t.equal(first.headers['cache-control'], 'no-cache', 'revalidated each time, so an upgrade is seen at once')
  const again = await app.inject({ url: '/rpc/explorer/main.js', headers: { 'if-none-match': first.headers.etag as string } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  t.equal((await app.inject({ url: '/rpc/explorer/main.js', headers: { 'if-none-match': '"other"' } })).statusCode, 200)
})

test('explorer.path and the RPC path decide where the page is, and the page finds the endpoint from there', async t => {
  const cases: Array<[Partial<RpcPluginOptions>, string, string]> = [
    [{ explorer: { path: '/docs' } }, '/rpc/docs/', '/rpc'],
    [{ explorer: { path: '/a/b' } }, '/rpc/a/b/', '/rpc'],
    [{ path: '/v1/api', explorer: true }, '/v1/api/explorer/', '/v1/api'],
    [{ path: '/', explorer: true }, '/explorer/', '/'],
    [{ path: '/api/', explorer: true }, '/api/explorer/', '/api/']
  ]
  for (const [options, pagePath, rpcPath] of cases) {
    const app = await appWith(t, { services, ...options })
    const page = await app.inject(pagePath)
    t.equal(page.statusCode, 200, `page at ${pagePath}`)
    const relative = /name="fastify-jsonrpc-endpoint" content="([^"]*)"/.exec(page.body)?.[1] as string
    t.equal(new URL(relative, `http://h${pagePath}`).pathname, rpcPath, `from ${pagePath}, ${relative} is ${rpcPath}`)
    t.equal(new URL(relative, `http://h/mounted/elsewhere${pagePath}`).pathname, `/mounted/elsewhere${rpcPath}`, 'and behind a proxy that adds a prefix')
    t.equal((await post(app, { jsonrpc: '2.0', method: 'ping', id: 1 }).catch(() => undefined))?.statusCode ?? 0, rpcPath === '/rpc' ? 200 : 404, 'the RPC route is untouched')
  }
  t.equal(endpointFromPage('/rpc', '/explorer'), '../../rpc')
  t.equal(endpointFromPage('/', '/explorer'), '../')
})

test('with ignoreTrailingSlash, both <path>/explorer and <path>/explorer/ work', async t => {
  const app = await appWith(t, { services, explorer: true }, { routerOptions: { ignoreTrailingSlash: true } })
  t.equal((await app.inject('/rpc/explorer')).statusCode, 301)
  const page = await app.inject('/rpc/explorer/')
  t.equal(page.statusCode, 200)
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
})

test('websocket: true tells the page it may connect', async t => {
  const app = await appWith(t, { services, explorer: true, websocket: true })
  t.match((await app.inject('/rpc/explorer/')).body, '<meta name="fastify-jsonrpc-websocket" content="on">')
})

test('the explorer option is checked at registration', async t => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a string', 'yes', /`explorer` must be true, false or \{ path \}/],
    ['an array', [], /`explorer` must be true, false or \{ path \}/],
    ['a path without a slash', { path: 'docs' }, /`explorer.path` must be one or more \/segments/],
    ['a path with ..', { path: '/a/../b' }, /`explorer.path`/],
    ['a path with a space', { path: '/a b' }, /`explorer.path`/],
    ['a trailing slash', { path: '/docs/' }, /`explorer.path`/],
    ['the root', { path: '/' }, /`explorer.path`/],
    ['a misspelt key', { paht: '/docs' }, /unknown option `explorer.paht`/]
  ]
  for (const [name, explorer, message] of cases) {
    const app = Fastify()
    await t.rejects(async () => { await app.register(rpcPlugin, { services, explorer } as unknown as RpcPluginOptions) }, { code: 'FST_JSONRPC_INVALID_OPTION', message }, name)
    await app.close()
  }
  const app = Fastify()
  await t.rejects(async () => { await app.register(rpcPlugin, { services, explorer: true, openrpc: false }) }, { code: 'FST_JSONRPC_INVALID_OPTION', message: /`explorer` reads the OpenRPC document: it needs `openrpc` on/ })
  await app.close()
})
