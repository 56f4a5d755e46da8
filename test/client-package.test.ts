import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from 'tap'
import * as root from '../index'
import * as client from '../client'

const run = promisify(execFile)
const packageRoot = join(__dirname, '..')
const cleanEnv = { PATH: process.env.PATH ?? '' }

/**
 * Modules that must not load with the client: this package's server side and
 * its runtime dependencies. (tap's coverage hooks follow child processes, so
 * the list of loaded modules cannot simply be required to be empty elsewhere.)
 */
function serverSide (loaded: readonly string[]): string[] {
  return loaded.filter(path =>
    (path.startsWith('dist/') && !path.startsWith('dist/client/') && !path.startsWith('dist/protocol/')) ||
    /node_modules\/(?:fastify|fastify-plugin|@fastify\/[^/]+|reflect-metadata|secure-json-parse|avvio|pino)\//.test(path))
}

/** Loads the built package by its name (a package may import itself) in a fresh Node process. */
async function probe (args: string[]): Promise<{ exports: string[], loaded: string[] }> {
  const { stdout } = await run(process.execPath, args, { cwd: packageRoot, env: cleanEnv, timeout: 30_000 })
  return JSON.parse(stdout) as { exports: string[], loaded: string[] }
}

const loadedModules = 'Object.keys(require.cache).map(p => p.slice(process.cwd().length + 1).replaceAll("\\\\", "/"))'

test('require("fastify-jsonrpc/client") loads the client and the protocol, nothing of Fastify or the server', async t => {
  const { exports, loaded } = await probe(['-e', `
    const c = require('fastify-jsonrpc/client')
    console.log(JSON.stringify({ exports: Object.keys(c), loaded: ${loadedModules} }))`])
  t.ok(exports.includes('RpcClient') && exports.includes('RpcError') && exports.includes('RpcTransportError'))
  t.ok(loaded.length > 0)
  t.ok(loaded.includes('dist/client/rpc-client.js') && loaded.includes('dist/protocol/rpc-error.js'))
  t.same(serverSide(loaded), [], 'nothing of the server, nor Fastify')
})

test('import "fastify-jsonrpc/client" (ESM) gives the same classes, without Fastify', async t => {
  const { exports, loaded } = await probe(['--input-type=module', '-e', `
    import * as c from 'fastify-jsonrpc/client'
    import { createRequire } from 'node:module'
    const require = createRequire(import.meta.url)
    const cjs = require('fastify-jsonrpc/client')
    if (c.RpcClient !== cjs.RpcClient || c.RpcError !== cjs.RpcError) throw new Error('two copies')
    console.log(JSON.stringify({ exports: Object.keys(c), loaded: ${loadedModules} }))`])
  t.ok(exports.includes('RpcClient') && exports.includes('RpcBatch') && exports.includes('METHOD_NOT_FOUND'))
  t.ok(loaded.includes('dist/client/rpc-client.js'))
  t.same(serverSide(loaded), [], 'nothing of the server, nor Fastify')
})

test('the package root re-exports the client, with one RpcError shared by server and client', t => {
  t.equal(root.RpcClient, client.RpcClient)
  t.equal(root.RpcTransportError, client.RpcTransportError)
  t.equal(root.RpcError, client.RpcError)
  t.equal(typeof root.rpcPlugin, 'function')
  t.end()
})

test('the client\'s sources import only each other and ../protocol (no Node-only module, no server code)', async t => {
  const directory = join(packageRoot, 'client')
  const files = (await readdir(directory)).filter(name => name.endsWith('.ts'))
  t.ok(files.length >= 5)
  for (const file of files) {
    const source = await readFile(join(directory, file), 'utf8')
    const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(match => match[1])
    const foreign = specifiers.filter(specifier => specifier === undefined || !(specifier.startsWith('./') || specifier.startsWith('../protocol')))
    t.same(foreign, [], `${file} imports only ./ and ../protocol`)
    t.notMatch(source, /\b(?:require\(|process\.|Buffer\b|__dirname)/, `${file} uses no Node-only global`)
  }
})

test('package.json declares the client entry, the bin and their files', async t => {
  const pkg = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as {
    bin: Record<string, string>
    exports: Record<string, { import: Record<string, string>, require: Record<string, string> }>
    files: string[]
  }
  t.same(pkg.exports['./client'], {
    import: { types: './esm/client.d.mts', default: './esm/client.mjs' },
    require: { types: './dist/client/index.d.ts', default: './dist/client/index.js' }
  })
  t.equal(pkg.bin['fastify-jsonrpc'], './dist/bin/fastify-jsonrpc.js')
  const bin = await readFile(join(packageRoot, pkg.bin['fastify-jsonrpc'] ?? ''), 'utf8')
  t.ok(bin.startsWith('#!/usr/bin/env node\n'), 'the compiled command starts with a shebang')
  t.ok(pkg.files.includes('dist/client') && pkg.files.includes('dist/bin'))
})
