import 'reflect-metadata'
import Fastify, { type FastifyInstance } from 'fastify'
import { test } from 'tap'
import { rpcContext, rpcMethod, rpcPlugin, type RpcContext } from '../index'
import { GreetingService } from '../services'
import { captureLogs, post } from './fixtures/app'

/**
 * A service built by tsx, esbuild, swc or Vite carries no `design:paramtypes`.
 * This class stands for one: it uses no decorator syntax, so TypeScript emits
 * no metadata for it, and the decorators are applied by hand, as the code
 * those tools emit does.
 */
class Calculator {
  add (a: number, b: number): number { return a + b }
  ping (): string { return 'pong' }
  greet (name: string): string { return `Hello, ${name}` }
  scale (factor: number, value: number): number { return factor * value }
  total (...values: number[]): number { return values.reduce((sum, value) => sum + value, 0) }
  whoami (context: RpcContext): string { return context.transport }
}

function decorate (method: keyof Calculator, options: Parameters<typeof rpcMethod>[0] = {}): void {
  rpcMethod(options)(Calculator.prototype, method, Object.getOwnPropertyDescriptor(Calculator.prototype, method) as PropertyDescriptor)
}
decorate('add')
decorate('ping')
decorate('greet', { params: { name: { type: 'string' } } })
decorate('scale', { params: { factor: { type: 'number' } } })
decorate('total')
rpcContext()(Calculator.prototype, 'whoami', 0)
decorate('whoami')

async function appLoggingWarnings (t: { teardown: (fn: () => unknown) => void }, services: object[]): Promise<{ app: FastifyInstance, lines: Array<Record<string, unknown>> }> {
  const { stream, lines } = captureLogs()
  const app = Fastify({ logger: { level: 'warn', stream } })
  t.teardown(async () => await app.close())
  await app.register(rpcPlugin, { services })
  await app.ready()
  return { app, lines }
}

test('the hand-decorated class really has no design:paramtypes (the premise of these tests)', t => {
  t.equal(Reflect.getMetadata('design:paramtypes', Calculator.prototype, 'add'), undefined)
  t.ok(Array.isArray(Reflect.getMetadata('design:paramtypes', GreetingService.prototype, 'hello')), 'while a tsc-built service has it')
  t.end()
})

test('regression: methods served without type checks were not reported; one warning names them and the fix', async t => {
  const { lines } = await appLoggingWarnings(t, [new Calculator()])
  const warnings = lines.filter(line => line.level === 40)
  t.equal(warnings.length, 1, 'one line for the whole registration')
  const [warning] = warnings
  t.same(warning?.methods, ['Calculator.add', 'Calculator.scale', 'Calculator.total'],
    'the methods with a parameter neither metadata nor a `params` schema types')
  const message = String(warning?.msg)
  t.match(message, /Calculator\.add, Calculator\.scale, Calculator\.total/)
  t.match(message, /not type-checked/)
  t.match(message, /tsc and "emitDecoratorMetadata": true/, 'how to fix it: the build')
  t.match(message, /@rpcMethod\(\{ params \}\)/, 'how to fix it: schemas')
  for (const unnamed of ['ping', 'greet', 'whoami']) {
    t.notMatch(message, `Calculator.${unnamed}`, `${unnamed}: no params, all of them with schemas, or only the context`)
  }
})

test('what the warning means: such a method takes any type, while a `params` schema still checks', async t => {
  const { app } = await appLoggingWarnings(t, [new Calculator()])
  t.same((await post(app, { jsonrpc: '2.0', method: 'add', params: ['1', 2], id: 1 })).json(),
    { jsonrpc: '2.0', result: '12', id: 1 }, 'a string reaches a number parameter unchecked')
  const checked = await post(app, { jsonrpc: '2.0', method: 'greet', params: [42], id: 2 })
  t.equal(checked.statusCode, 400)
  t.equal(checked.json().error.code, -32602)
  t.same((await post(app, { jsonrpc: '2.0', method: 'whoami', id: 3 })).json(), { jsonrpc: '2.0', result: 'http', id: 3 },
    'the hand-applied @rpcContext() works without metadata')
})

test('services built with tsc give no warning', async t => {
  const { lines } = await appLoggingWarnings(t, [new GreetingService()])
  t.same(lines, [])
})
