import { test } from 'tap'
import { GreetingService } from '../services'
import { appWith, post } from './fixtures/app'

async function greetingApp (t: Parameters<typeof appWith>[0]): ReturnType<typeof appWith> {
  return await appWith(t, { services: [new GreetingService()] })
}

test('each malformed member is -32600 Invalid Request, naming the problem', async t => {
  const app = await greetingApp(t)
  const cases: Array<[string, unknown, unknown]> = [
    ['jsonrpc missing', { method: 'ping', id: 1 }, 1],
    ['jsonrpc "1.0"', { jsonrpc: '1.0', method: 'ping', id: 1 }, 1],
    ['jsonrpc as a number', { jsonrpc: 2.0, method: 'ping', id: 1 }, 1],
    ['method missing', { jsonrpc: '2.0', id: 'a' }, 'a'],
    ['method as a number', { jsonrpc: '2.0', method: 7, id: 2 }, 2],
    ['method null', { jsonrpc: '2.0', method: null, id: 2 }, 2],
    ['params a string', { jsonrpc: '2.0', method: 'hello', params: 'Nancy', id: 3 }, 3],
    ['params a number', { jsonrpc: '2.0', method: 'hello', params: 1, id: 3 }, 3],
    ['params null', { jsonrpc: '2.0', method: 'hello', params: null, id: 3 }, 3],
    ['id an object', { jsonrpc: '2.0', method: 'ping', id: { a: 1 } }, null],
    ['id an array', { jsonrpc: '2.0', method: 'ping', id: [1] }, null],
    ['id a boolean', { jsonrpc: '2.0', method: 'ping', id: true }, null],
    ['a string body', 'ping', null],
    ['a number body', 42, null],
    ['null body', null, null]
  ]
  for (const [name, body, id] of cases) {
    const reply = await post(app, JSON.stringify(body))
    const json = reply.json()
    t.equal(reply.statusCode, 400, `${name}: status`)
    t.equal(json.error.code, -32600, `${name}: code`)
    t.equal(json.error.message, 'Invalid Request', `${name}: message`)
    t.type(json.error.data, 'string', `${name}: data explains`)
    t.equal(json.id, id, `${name}: the id is echoed only when it is valid`)
  }
})

test('an invalid request without an id is still answered', async t => {
  const app = await greetingApp(t)
  const reply = await post(app, { jsonrpc: '1.0', method: 'ping' })
  t.equal(reply.statusCode, 400)
  t.equal(reply.json().error.code, -32600)
})

test('"id": null is a request, not a notification', async t => {
  const app = await greetingApp(t)
  const reply = await post(app, { jsonrpc: '2.0', method: 'ping', id: null })
  t.equal(reply.statusCode, 200)
  t.same(reply.json(), { jsonrpc: '2.0', result: 'ping', id: null })
})

test('string, integer and fractional ids are echoed as sent', async t => {
  const app = await greetingApp(t)
  for (const id of ['abc', '', 0, -5, 1.5, 9007199254740991]) {
    t.same((await post(app, { jsonrpc: '2.0', method: 'ping', id })).json(), { jsonrpc: '2.0', result: 'ping', id })
  }
})

test('a failing notification gets no response', async t => {
  const app = await greetingApp(t)
  for (const body of [
    { jsonrpc: '2.0', method: 'nope' },
    { jsonrpc: '2.0', method: 'hello', params: [] },
    { jsonrpc: '2.0', method: 'hello', params: { wrong: 1 } }
  ]) {
    const reply = await post(app, body)
    t.equal(reply.statusCode, 204, JSON.stringify(body))
    t.equal(reply.body, '')
  }
})

test('members the specification does not define are ignored', async t => {
  const app = await greetingApp(t)
  const reply = await post(app, { jsonrpc: '2.0', method: 'ping', id: 1, extra: true })
  t.same(reply.json(), { jsonrpc: '2.0', result: 'ping', id: 1 })
})

test('a body that is not JSON is -32700 Parse error with id null', async t => {
  const app = await greetingApp(t)
  for (const body of ['', ' ', '{', '{"jsonrpc": "2.0", "method": "ping", "id": 1', 'nul', '[1,]', "{'a': 1}"]) {
    const reply = await post(app, body)
    t.equal(reply.statusCode, 400, `status for ${JSON.stringify(body)}`)
    t.same(reply.json(), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
  }
})
