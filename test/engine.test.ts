import { test } from 'tap'
import { buildRegistry, buildDispatcher, type RpcLogger } from '../engine'
import { GreetingService } from '../services'

const quietLog: RpcLogger = { error: () => {}, debug: () => {} }

test('the dispatcher answers without Fastify, from text or from a parsed message', async t => {
  const dispatcher = buildDispatcher(buildRegistry([new GreetingService()]), {
    maxBatchSize: 10,
    batchConcurrency: 2,
    jsonBody: { onProtoPoisoning: 'error', onConstructorPoisoning: 'error' }
  })
  const context = { log: quietLog, logCalls: false }
  t.same(await dispatcher.dispatchText('{"jsonrpc":"2.0","method":"ping","id":1}', context),
    { body: '{"jsonrpc":"2.0","result":"ping","id":1}', batch: false, errorCode: 0 })
  t.same(await dispatcher.dispatch({ jsonrpc: '2.0', method: 'lid', id: 5 }, context),
    { body: '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":5}', batch: false, errorCode: -32601 })
  t.same(await dispatcher.dispatch([{ jsonrpc: '2.0', method: 'Sum', params: [5, 7], id: 'a' }], context),
    { body: '[{"jsonrpc":"2.0","result":12,"id":"a"}]', batch: true, errorCode: 0 })
  t.same(await dispatcher.dispatch({ jsonrpc: '2.0', method: 'ping' }, context),
    { body: undefined, batch: false, errorCode: 0 }, 'a notification owes nothing')
})
