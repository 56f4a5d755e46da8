import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'tap'

/**
 * Installs the `npm pack` tarball into a scratch project and compiles and runs
 * a user's app against it, once as CommonJS and once as ESM, the way users
 * consume the package. It packs the `dist/` that `npm test` has just built
 * (the prepack build is skipped to save its time). The scratch project links this project's installed
 * dependencies instead of downloading them again.
 */
const root = resolve(__dirname, '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

const service = `
class GreetingService {
  @rpcMethod() hello (name: string): string { return 'Hello, ' + name }
  @rpcMethod() Sum (a: number, b: number): number { return a + b }
}
`
function appSource (imports: string): string {
  return `${imports}
${service}
async function main (): Promise<void> {
  const app = Fastify()
  const options: RpcPluginOptions = { services: [new GreetingService()] }
  await app.register(rpcPlugin, options)
  const call = async (body: object) => (await app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })).json()
  const byName = await call({ jsonrpc: '2.0', method: 'Sum', params: { b: 7, a: 5 }, id: 1 })
  const missing = await call({ jsonrpc: '2.0', method: 'lid', id: 2 })
  const error: RpcError = new RpcError(METHOD_NOT_FOUND, 'Method not found')
  console.log(JSON.stringify({ byName, missing, sameCode: error.code === missing.error.code, defaultIsPlugin: rpcPlugin === namedPlugin }))
  await app.close()
}
void main()
`
}

const compilerOptions = {
  target: 'ES2022',
  strict: true,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  skipLibCheck: false,
  types: ['node']
}

// Packing, compiling two apps and running them takes tens of seconds on a busy 2-core machine.
test('the packed package works from CommonJS and ESM TypeScript apps', { timeout: 300_000 }, async t => {
  const scratch = mkdtempSync(join(tmpdir(), 'fastify-jsonrpc-pack-'))
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }))

  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 }))
  const files: string[] = packed[0].files.map((file: { path: string }) => file.path)
  t.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('esm/index.mjs'), 'ships compiled JS, types and the ESM entry')
  t.notOk(files.some(file => file.startsWith('test/') || file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.d.mts')), 'ships no TypeScript sources or tests')
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

  const cjsDir = join(scratch, 'cjs-app')
  mkdirSync(cjsDir)
  writeFileSync(join(cjsDir, 'package.json'), JSON.stringify({ name: 'cjs-app', private: true }))
  writeFileSync(join(cjsDir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'commonjs', moduleResolution: 'node10' } }))
  writeFileSync(join(cjsDir, 'app.ts'), appSource(`import 'reflect-metadata'
import Fastify from 'fastify'
import rpcPlugin, { rpcPlugin as namedPlugin, rpcMethod, RpcError, METHOD_NOT_FOUND, type RpcPluginOptions } from 'fastify-jsonrpc'`))

  const esmDir = join(scratch, 'esm-app')
  mkdirSync(esmDir)
  writeFileSync(join(esmDir, 'package.json'), JSON.stringify({ name: 'esm-app', private: true, type: 'module' }))
  writeFileSync(join(esmDir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'nodenext', moduleResolution: 'nodenext' } }))
  writeFileSync(join(esmDir, 'app.ts'), appSource(`import 'reflect-metadata'
import Fastify from 'fastify'
import rpcPlugin, { rpcPlugin as namedPlugin, rpcMethod, RpcError, METHOD_NOT_FOUND, type RpcPluginOptions } from 'fastify-jsonrpc'`))

  for (const [name, dir] of [['CommonJS', cjsDir], ['ESM', esmDir]]) {
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
    } catch (error) {
      t.fail(`${name} app compiles: ${String((error as { stdout?: string }).stdout)}`)
      continue
    }
    const output = execFileSync(process.execPath, [join(dir, 'app.js')], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
    t.same(JSON.parse(output), {
      byName: { jsonrpc: '2.0', result: 12, id: 1 },
      missing: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 2 },
      sameCode: true,
      defaultIsPlugin: true
    }, `${name} app runs against the packed package`)
  }
})
