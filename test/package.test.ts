import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import { test } from 'tap'
import { rpcPlugin } from '../index'
import { GreetingService } from '../services'

/**
 * Installs the `npm pack` tarball into a scratch project once, then compiles
 * and runs users' apps against it: a client-only app under each TypeScript
 * module resolution users have (node10, node16, nodenext, bundler), as
 * CommonJS and as ESM where the mode allows both, and a server app importing
 * every entry point as CommonJS (node10) and as ESM (nodenext). It packs the
 * `dist/` that `npm test` has just built (the prepack build is skipped to save
 * its time). The scratch project links this project's installed dependencies
 * instead of downloading them again.
 */
const root = resolve(__dirname, '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const run = promisify(execFile)
/**
 * The apps and tsc run without tap's NODE_OPTIONS: its process-info and
 * coverage hooks would follow them and make every tsc several times slower.
 */
const cleanEnv = { PATH: process.env.PATH ?? '' }

const service = `
class GreetingService {
  @rpcMethod() hello (name: string): string { return 'Hello, ' + name }
  @rpcMethod() Sum (a: number, b: number): number { return a + b }
}
`
/** A server app; it also imports every entry point, each of which must resolve with types (strict mode refuses an untyped import). */
function serverApp (subpaths: readonly string[]): string {
  const imports = subpaths.map((subpath, i) => `import * as entry${i} from 'fastify-jsonrpc${subpath.slice(1)}'`)
  const table = subpaths.map((subpath, i) => `${JSON.stringify(subpath)}: Object.keys(entry${i}).length`)
  return `import 'reflect-metadata'
import Fastify from 'fastify'
import rpcPlugin, { rpcPlugin as namedPlugin, rpcMethod, RpcError, METHOD_NOT_FOUND, type RpcPluginOptions } from 'fastify-jsonrpc'
${imports.join('\n')}
${service}
async function main (): Promise<void> {
  const app = Fastify()
  const options: RpcPluginOptions = { services: [new GreetingService()] }
  await app.register(rpcPlugin, options)
  const call = async (body: object) => (await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })).json()
  const byName = await call({ jsonrpc: '2.0', method: 'Sum', params: { b: 7, a: 5 }, id: 1 })
  const missing = await call({ jsonrpc: '2.0', method: 'lid', id: 2 })
  const error: RpcError = new RpcError(METHOD_NOT_FOUND, 'Method not found')
  const entries = { ${table.join(', ')} }
  console.log(JSON.stringify({ byName, missing, sameCode: error.code === missing.error.code, defaultIsPlugin: rpcPlugin === namedPlugin, entries }))
  await app.close()
}
void main()
`
}

/**
 * Imports nothing but the client entry, as a browser or CLI app would; it
 * compiles with the DOM library and without @types/node.
 */
const clientApp = `import { RpcClient, RpcError, METHOD_NOT_FOUND, type RpcClientOptions } from 'fastify-jsonrpc/client'

const url = (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? ''

async function main (): Promise<void> {
  const options: RpcClientOptions = { timeout: 10_000 }
  const client = new RpcClient(url, options)
  const sum = await client.request<number>('Sum', 2, 3)
  const missing = await client.request('lid').then(() => 'answered', (error: unknown) => error instanceof RpcError && error.code === METHOD_NOT_FOUND)
  console.log(JSON.stringify({ sum, missing }))
}
void main()
`

/** The public entry points, read from `exports` so that a new subpath is checked without editing this test. */
function entryPoints (): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
  return Object.keys(pkg.exports).filter(subpath => !subpath.endsWith('.json'))
}

const compilerOptions = {
  target: 'ES2022',
  strict: true,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true
}

interface ResolutionMode {
  name: string
  module: string
  moduleResolution: string
  type: 'commonjs' | 'module'
  /**
   * Also compile and run the server app, which imports every entry point.
   * Its types (Fastify, @types/node) cost seconds of CPU per compilation, so it
   * runs where resolution differs: `typesVersions` (node10) and the `import`
   * condition (nodenext ESM; bundler resolution reads the same condition).
   */
  server?: true
  /**
   * Type-check the package's declaration files too (skipLibCheck off). Once is
   * enough: the ESM declarations re-export the CommonJS ones.
   */
  checkDeclarations?: true
}

/** Every resolution a TypeScript app may use, in each module format it allows (bundler resolution emits ESM). */
const MODES: ResolutionMode[] = [
  { name: 'node10 CommonJS', module: 'commonjs', moduleResolution: 'node10', type: 'commonjs', server: true },
  { name: 'node16 CommonJS', module: 'node16', moduleResolution: 'node16', type: 'commonjs' },
  { name: 'node16 ESM', module: 'node16', moduleResolution: 'node16', type: 'module' },
  { name: 'nodenext CommonJS', module: 'nodenext', moduleResolution: 'nodenext', type: 'commonjs' },
  { name: 'nodenext ESM', module: 'nodenext', moduleResolution: 'nodenext', type: 'module', server: true, checkDeclarations: true },
  { name: 'bundler ESM', module: 'esnext', moduleResolution: 'bundler', type: 'module' }
]

/** Runs `jobs` with at most `limit` at once (each tsc is a whole process; the machine is small). */
async function inPool<T> (jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length)
  let next = 0
  async function worker (): Promise<void> {
    while (next < jobs.length) {
      const index = next++
      results[index] = await (jobs[index] as () => Promise<T>)()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker))
  return results
}

// Packing, then compiling and running eight apps, takes tens of seconds on a busy 2-core machine.
test('the packed package works in every resolution mode, from CommonJS and ESM TypeScript apps', { timeout: 300_000 }, async t => {
  const scratch = mkdtempSync(join(tmpdir(), 'fastify-jsonrpc-pack-'))
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 }))
  const files: string[] = packed[0].files.map((file: { path: string }) => file.path)
  t.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('esm/index.mjs'), 'ships compiled JS, types and the ESM entry')
  t.notOk(files.some(file => file.startsWith('test/') || (file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.d.mts'))), 'ships no TypeScript sources or tests')
  t.notOk(files.some(file => file.startsWith('dist/demo') || file.startsWith('dist/services')), 'ships no demo code')
  t.ok(['dist/browser/client.mjs', 'dist/browser/client.d.mts', 'dist/explorer/index.html', 'dist/explorer/main.js', 'dist/explorer/explorer.css'].every(file => files.includes(file)), 'ships the browser client and the explorer page')

  const modules = join(scratch, 'node_modules')
  mkdirSync(modules)
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '.bin' || entry === 'fastify-jsonrpc') continue
    symlinkSync(join(root, 'node_modules', entry), join(modules, entry))
  }
  execFileSync('tar', ['-xzf', join(scratch, packed[0].filename), '-C', scratch])
  renameSync(join(scratch, 'package'), join(modules, 'fastify-jsonrpc'))

  const subpaths = entryPoints()
  t.ok(subpaths.includes('.') && subpaths.includes('./client'), `entry points: ${subpaths.join(', ')}`)
  const projects = MODES.map(mode => {
    const dir = join(scratch, mode.name.replace(' ', '-').toLowerCase())
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: mode.type }))
    const environment = mode.server === true ? { types: ['node'] } : { types: [], lib: ['ES2022', 'DOM'] }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...compilerOptions, ...environment, module: mode.module, moduleResolution: mode.moduleResolution, skipLibCheck: mode.checkDeclarations !== true }
    }))
    if (mode.server === true) writeFileSync(join(dir, 'server-app.ts'), serverApp(subpaths))
    writeFileSync(join(dir, 'client-app.ts'), clientApp)
    return { mode, dir }
  })
  const compiled = await inPool(projects.map(({ dir }) => async () => {
    try {
      await run(process.execPath, [tsc, '-p', dir], { cwd: dir, env: cleanEnv, timeout: 180_000 })
      return ''
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error)
    }
  }), 2)

  // The client apps call a real server on loopback.
  const server = Fastify()
  t.teardown(async () => await server.close())
  await server.register(rpcPlugin, { services: [new GreetingService()] })
  await server.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/rpc`

  for (const [index, { mode, dir }] of projects.entries()) {
    if (compiled[index] !== '') {
      t.fail(`${mode.name}: the apps compile`, { diagnostics: compiled[index] })
      continue
    }
    t.pass(`${mode.name}: the apps compile`)
    const node = async (file: string, ...args: string[]): Promise<unknown> =>
      JSON.parse((await run(process.execPath, [join(dir, file), ...args], { cwd: dir, env: cleanEnv, timeout: 30_000 })).stdout)
    t.same(await node('client-app.js', url), { sum: 5, missing: true }, `${mode.name}: the client-only app calls the server`)
    if (mode.server !== true) continue
    const { entries, ...served } = await node('server-app.js') as { entries: Record<string, number> }
    t.same(served, {
      byName: { jsonrpc: '2.0', result: 12, id: 1 },
      missing: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 2 },
      sameCode: true,
      defaultIsPlugin: true
    }, `${mode.name}: the server app runs against the packed package`)
    t.same(Object.keys(entries), subpaths, `${mode.name}: every entry point loads`)
    t.ok(Object.values(entries).every(count => count > 0), `${mode.name}: and exports something`)
  }
})
