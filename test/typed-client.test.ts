import { execFile } from 'node:child_process'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import tap, { test } from 'tap'
import { buildDemoApp } from '../demo/app'
import { runCli } from './helpers/cli-process'
import { buildRichApp, ShopService } from './fixtures/rich-service'

const run = promisify(execFile)
const root = join(__dirname, '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const EXPECTED = join(__dirname, 'fixtures', 'expected', 'rich-api.ts')

// Three generator runs, one tsc run and one app run, each a process, on a shared 2-core machine.
tap.setTimeout(240_000)

/**
 * A client app written against the generated modules, in another "repository"
 * (it imports only the generated files and fastify-jsonrpc/client). The
 * calls in `wrongCalls` must each fail to compile: an unused
 * @ts-expect-error is itself an error, so tsc passing proves they do.
 */
const CLIENT_APP = `
import { WebSocket } from 'ws'
import { RpcClient, RpcError, type RpcProxy } from 'fastify-jsonrpc/client'
import type { Customer, ShopApi, Status } from './shop-api'
import type { ShopEventsNotifications } from './shop-events'
import type { DemoApi } from './demo-api'

function wrongCalls (shop: RpcProxy<ShopApi>, demo: RpcProxy<DemoApi>): void {
  // @ts-expect-error the id is a number
  void shop.findCustomer('1')
  // @ts-expect-error lines is required
  void shop.placeOrder(1)
  // @ts-expect-error a quantity is a number
  void shop.placeOrder(1, [{ sku: 'a', quantity: '2' }])
  // @ts-expect-error an order line needs its sku
  void shop.placeOrder(1, [{ quantity: 2 }])
  // @ts-expect-error "lost" is not a Status
  void shop.countByStatus('lost')
  // @ts-expect-error "gold" is not one of the tags
  void shop.tagged('vip', 'gold')
  // @ts-expect-error an Address needs its city
  void shop.placeOrder(1, [], { street: '1 Main St' })
  // @ts-expect-error a payment is a card or an IBAN
  void shop.placeOrder(1, [], undefined, { cash: 5 })
  // @ts-expect-error no such method
  void shop.deleteEverything()
  // @ts-expect-error the result is a Customer or null, not a string
  const name: Promise<string> = shop.findCustomer(1)
  void name
  // @ts-expect-error Sum takes numbers
  void demo.Sum('5', 7)
  // @ts-expect-error hello takes one name
  void demo.hello()
}
void wrongCalls

async function main (): Promise<void> {
  const [shopUrl, shopWsUrl, demoUrl] = process.argv.slice(2) as [string, string, string]
  const client = new RpcClient(shopUrl)
  const shop = client.proxy<ShopApi>()
  const found: Customer | null = await shop.findCustomer(1)
  const missing = await shop.findCustomer(5)
  const order = await shop.placeOrder(1, [{ sku: 'a', quantity: 2 }, { sku: 'b', quantity: 1 }], { street: '3 Elm St', city: 'Ogdenville' }, { iban: 'DE00' })
  const status: Status = order.status
  const count: number = await shop.countByStatus('shipped')
  const vip: Customer[] = await shop.tagged('vip')
  const everyone = await shop.tagged()
  const stats = await shop.stats()
  const version: 'v1' = stats.version
  const pending: number | undefined = stats.byStatus.pending
  const old: Customer = await shop.getCustomer(2)
  let archived: unknown
  try {
    await shop.findCustomer(99)
  } catch (error) {
    archived = error instanceof RpcError ? { code: error.code, message: error.message } : String(error)
  }
  await client.notifier<ShopEventsNotifications>().record('typed notification')

  const overWebSocket = new RpcClient(shopWsUrl, { WebSocket })
  const wsShop = overWebSocket.proxy<ShopApi>()
  const wsCustomer = await wsShop.findCustomer(2)
  const wsOrder = await wsShop.placeOrder(2, [{ sku: 'c', quantity: 4 }])
  await overWebSocket.notifier<ShopEventsNotifications>().record('over WebSocket')
  overWebSocket.close()

  const demo = new RpcClient(demoUrl).proxy<DemoApi>()
  const hello: string = await demo.hello('Nancy')
  const sum: number = await demo.Sum(5, 7)
  console.log(JSON.stringify({ found, missing, order, status, count, vip: vip.map(customer => customer.name), everyone: everyone.length, version, pending, old: old.name, archived, wsCustomer, wsOrder, hello, sum }))
}

main().catch(error => {
  console.error(error)
  process.exitCode = 1
})
`

async function listen (app: Awaited<ReturnType<typeof buildDemoApp>>): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

test('types from a live server: the fixture\'s module matches the committed one, and a client app compiles and runs against it over HTTP and WebSocket', async t => {
  const service = new ShopService()
  const shopApp = await buildRichApp(service)
  const demoApp = await buildDemoApp({ forceCloseConnections: true })
  t.teardown(async () => { await Promise.all([shopApp.close(), demoApp.close()]) })
  const shopPort = await listen(shopApp)
  const demoPort = await listen(demoApp)
  const shopUrl = `http://127.0.0.1:${shopPort}/rpc`
  const demoUrl = `http://127.0.0.1:${demoPort}/rpc`

  // A test directory inside the package, so that the app imports fastify-jsonrpc/client by the package's own name.
  const appDir = t.testdir({
    'package.json': JSON.stringify({ name: 'typed-client-app', private: true }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, types: ['node'], skipLibCheck: false, outDir: 'out', rootDir: '.' }
    }),
    'app.ts': CLIENT_APP
  })
  // The package, installed as the app's dependency would be (ws and @types/node are found further up).
  await mkdir(join(appDir, 'node_modules'))
  await symlink(root, join(appDir, 'node_modules', 'fastify-jsonrpc'), 'dir')

  const shop = await runCli(['types', shopUrl, '--name', 'ShopApi', '-o', join(appDir, 'shop-api.ts')])
  t.equal(shop.code, 0, shop.stderr)
  t.equal(shop.stderr, '', 'no warning: every schema of the fixture is typed')
  t.equal(shop.stdout, `wrote ${join(appDir, 'shop-api.ts')}: ShopApi with 8 methods, 3 named types\n`)
  const generated = await readFile(join(appDir, 'shop-api.ts'), 'utf8')
  if (process.env.UPDATE_EXPECTED === '1') await writeFile(EXPECTED, generated)
  t.equal(generated, await readFile(EXPECTED, 'utf8'), 'the module equals test/fixtures/expected/rich-api.ts (UPDATE_EXPECTED=1 rewrites it after a reviewed change)')

  // The same document as a file, with record's result left out: OpenRPC 1.3's way to say "a notification".
  const discovered = await shopApp.inject({ method: 'POST', url: '/rpc', payload: { jsonrpc: '2.0', method: 'rpc.discover', id: 1 } })
  const document = discovered.json().result as { methods: Array<{ name: string, result?: unknown }> }
  for (const method of document.methods) if (method.name === 'record') delete method.result
  await writeFile(join(appDir, 'shop.openrpc.json'), JSON.stringify(document))
  const events = await runCli(['types', join(appDir, 'shop.openrpc.json'), '--name', 'ShopEvents', '-o', join(appDir, 'shop-events.ts')])
  t.equal(events.code, 0, events.stderr)
  t.equal(events.stdout, `wrote ${join(appDir, 'shop-events.ts')}: ShopEvents with 7 methods, ShopEventsNotifications with 1, 3 named types\n`)
  const eventsModule = await readFile(join(appDir, 'shop-events.ts'), 'utf8')
  t.match(eventsModule, /export interface ShopEventsNotifications \{\n {2}\/\*\*\n {3}\* Writes a line to the audit log\.\n {3}\*\/\n {2}record\(line: string\): void\n\}/)

  const demo = await runCli(['types', demoUrl, '--name', 'DemoApi', '-o', join(appDir, 'demo-api.ts')])
  t.equal(demo.code, 0, demo.stderr)
  const demoModule = await readFile(join(appDir, 'demo-api.ts'), 'utf8')
  for (const signature of ['ping(): string', 'hello(name: string): string', 'Sum(a: number, b: number): number', 'subscribe_ticker(intervalMs?: unknown): string', '"rpc.discover"(): {']) {
    t.ok(demoModule.includes(`  ${signature}`), `the demo's ${signature}`)
  }

  try {
    await run(process.execPath, [tsc, '-p', appDir], { cwd: appDir, timeout: 180_000 })
  } catch (error) {
    t.fail(`the client app compiles against the generated modules: ${String((error as { stdout?: string }).stdout)}`)
    return
  }
  const { stdout } = await run(process.execPath, [join(appDir, 'out', 'app.js'), shopUrl, `ws://127.0.0.1:${shopPort}/rpc`, demoUrl], { cwd: appDir, timeout: 60_000 })
  const answers = JSON.parse(stdout)
  t.same(answers.found, { id: 1, name: 'Nancy', address: { street: '1 Main St', city: 'Springfield' }, tags: ['vip'], nickname: null })
  t.equal(answers.missing, null)
  t.same(answers.order, { orderId: 'o-1-2', status: 'pending', total: 7.5, shippedTo: { street: '3 Elm St', city: 'Ogdenville' }, paidBy: 'iban' })
  t.equal(answers.status, 'pending')
  t.equal(answers.count, 7)
  t.same(answers.vip, ['Nancy'])
  t.equal(answers.everyone, 2, 'a rest param may get no argument')
  t.equal(answers.version, 'v1')
  t.equal(answers.pending, 2)
  t.equal(answers.old, 'Ada', 'a deprecated method is still typed and callable')
  t.same(answers.archived, { code: 4040, message: 'Customer archived' })
  t.same(answers.wsCustomer, { id: 2, name: 'Ada', tags: [], nickname: 'Countess' })
  t.same(answers.wsOrder, { orderId: 'o-2-1', status: 'pending', total: 10, paidBy: 'invoice' }, 'optional params left out at the end')
  t.equal(answers.hello, 'Hello, Nancy')
  t.equal(answers.sum, 12)
  t.same(service.recorded, ['typed notification', 'over WebSocket'], 'the typed notifier reached the server, over HTTP and over WebSocket')
})
