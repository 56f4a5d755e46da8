import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { test } from 'tap'

/**
 * `fastify-jsonrpc/browser`: RpcClient as one ES module, for pages that load
 * it without a bundler (the explorer's browser test runs it in Chromium).
 */
const root = resolve(__dirname, '..')
const bundle = join(root, 'dist', 'browser', 'client.mjs')

async function exportNames (specifier: string): Promise<string[]> {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()))`
  // Run from the package folder, so that the package's own name resolves through its `exports`.
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 })
  return JSON.parse(stdout) as string[]
}

test('fastify-jsonrpc/browser exports what fastify-jsonrpc/client does', async t => {
  const browser = await exportNames('fastify-jsonrpc/browser')
  // The Node ESM entry re-exports CommonJS, whose `__esModule` marker comes along; the bundle has none.
  t.same(browser, (await exportNames('fastify-jsonrpc/client')).filter(name => name !== '__esModule'))
  t.ok(browser.includes('RpcClient') && browser.includes('RpcError') && browser.includes('RpcTransportError'))
})

test('the browser bundle is self-contained ES: no require, no Node module, no server code', async t => {
  const text = readFileSync(bundle, 'utf8')
  t.notMatch(text, /\brequire\(/)
  t.notMatch(text, /from\s*["']node:|import\(["']node:/)
  // esbuild names each module it bundles in a comment: only the client's and the protocol's.
  const modules = [...text.matchAll(/^\/\/ ([\w./-]+\.ts)$/gm)].map(match => match[1] as string)
  t.ok(modules.length > 0 && modules.every(path => path.startsWith('client/') || path.startsWith('protocol/')), `bundled modules: ${modules.join(', ')}`)
  t.notMatch(text, /^import\s/m, 'imports nothing: one file is the whole client')
})

test('package.json ships the bundle and its types under ./browser', async t => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>, files: string[] }
  t.same(manifest.exports['./browser'], { types: './dist/browser/client.d.mts', default: './dist/browser/client.mjs' })
  t.ok(manifest.files.includes('dist/browser') && manifest.files.includes('dist/explorer'), 'the bundle and the explorer page are in the package')
  t.equal(readFileSync(join(root, 'dist', 'browser', 'client.d.mts'), 'utf8'), "export * from '../client/index.js'\n", 'its types are the client\'s own')
})
