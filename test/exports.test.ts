import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from 'tap'
import ts from 'typescript'

/**
 * The exact export list of each entry point, pinned: adding or removing a
 * public name is a deliberate change to this file. Engine internals belong in
 * `fastify-jsonrpc/engine`, never in the root.
 */
const run = promisify(execFile)
const packageRoot = join(__dirname, '..')

const ROOT_VALUES = [
  'CALL_TIMEOUT', 'DEFAULT_CLIENT_TIMEOUT', 'DEFAULT_MAX_RESPONSE_BYTES', 'INTERNAL_ERROR',
  'INVALID_PARAMS', 'INVALID_REQUEST', 'METHOD_NOT_FOUND', 'PARSE_ERROR', 'ResultMismatchError',
  'RpcBatch', 'RpcClient', 'RpcConfigurationError', 'RpcError', 'RpcTransportError', 'SERVER_BUSY',
  'STANDARD_MESSAGES', 'UNAUTHORIZED', 'consoleLogHook', 'default', 'rpcContext', 'rpcMethod', 'rpcPlugin',
  'LIMIT_EXCEEDED'
]
const CLIENT_VALUES = [
  'CALL_TIMEOUT', 'DEFAULT_CLIENT_TIMEOUT', 'DEFAULT_MAX_RESPONSE_BYTES', 'INTERNAL_ERROR',
  'INVALID_PARAMS', 'INVALID_REQUEST', 'METHOD_NOT_FOUND', 'PARSE_ERROR', 'RpcBatch', 'RpcClient',
  'RpcError', 'RpcTransportError', 'SERVER_BUSY', 'STANDARD_MESSAGES', 'UNAUTHORIZED', 'consoleLogHook',
  'LIMIT_EXCEEDED'
]
const ENGINE_VALUES = [
  'DEFAULT_MAX_IN_FLIGHT', 'DEFAULT_MAX_PARAMS', 'DISCOVER_METHOD', 'OPENRPC_VERSION',
  'buildOpenRpcDocument', 'buildRegistry', 'buildDispatcher', 'withDiscovery'
]

const ROOT_NAMES = [
  'CALL_TIMEOUT', 'DEFAULT_CLIENT_TIMEOUT', 'DEFAULT_MAX_RESPONSE_BYTES', 'HttpStatusMode',
  'INTERNAL_ERROR', 'INVALID_PARAMS', 'INVALID_REQUEST', 'JSONSchema', 'JSONSchemaObject',
  'JSONSchemaTypeName', 'JSONValue', 'JsonRpcErrorObject', 'JsonRpcFailure', 'JsonRpcId', 'JsonRpcParams',
  'JsonRpcRequest', 'JsonRpcResponse', 'JsonRpcSuccess', 'METHOD_NOT_FOUND', 'OpenRpcDocument',
  'OpenRpcInfo', 'PARSE_ERROR', 'ParamsProblem', 'ResultMismatchError', 'RpcBatch', 'RpcBatchCallOptions',
  'RpcBatchOutcome', 'RpcBatchSender', 'RpcCallOptions', 'RpcClient', 'RpcClientOptions',
  'RpcConfigurationError', 'RpcConfigurationErrorCode', 'RpcConnection', 'RpcContext', 'RpcError',
  'RpcFetch', 'RpcFetchBody', 'RpcFetchInit', 'RpcFetchResponse', 'RpcGuard', 'RpcHeaders', 'RpcLogEvent',
  'RpcLogHook', 'RpcLogger', 'RpcMethodNames', 'RpcMethodOptions', 'RpcNotificationHandler', 'RpcNotifier',
  'RpcParams', 'RpcPluginOptions', 'RpcProxy', 'RpcProxyReservedName', 'RpcServerNotification',
  'RpcSocketEvent', 'RpcTransportError', 'RpcTransportErrorDetails', 'RpcTransportErrorKind',
  'RpcWebSocket', 'RpcWebSocketConstructor', 'SERVER_BUSY', 'STANDARD_MESSAGES', 'UNAUTHORIZED',
  'WebSocketOptions', 'consoleLogHook', 'default', 'rpcContext', 'rpcMethod', 'rpcPlugin',
  'LIMIT_EXCEEDED', 'ReconnectBackoff'
]
const CLIENT_NAMES = [
  'CALL_TIMEOUT', 'DEFAULT_CLIENT_TIMEOUT', 'DEFAULT_MAX_RESPONSE_BYTES', 'INTERNAL_ERROR',
  'INVALID_PARAMS', 'INVALID_REQUEST', 'JsonRpcErrorObject', 'JsonRpcFailure', 'JsonRpcId',
  'JsonRpcParams', 'JsonRpcRequest', 'JsonRpcResponse', 'JsonRpcSuccess', 'METHOD_NOT_FOUND',
  'PARSE_ERROR', 'RpcBatch', 'RpcBatchCallOptions', 'RpcBatchOutcome', 'RpcBatchSender', 'RpcCallOptions',
  'RpcClient', 'RpcClientOptions', 'RpcError', 'RpcFetch', 'RpcFetchBody', 'RpcFetchInit',
  'RpcFetchResponse', 'RpcHeaders', 'RpcLogEvent', 'RpcLogHook', 'RpcMethodNames',
  'RpcNotificationHandler', 'RpcNotifier', 'RpcParams', 'RpcProxy', 'RpcProxyReservedName',
  'RpcServerNotification', 'RpcSocketEvent', 'RpcTransportError', 'RpcTransportErrorDetails',
  'RpcTransportErrorKind', 'RpcWebSocket', 'RpcWebSocketConstructor', 'SERVER_BUSY', 'STANDARD_MESSAGES',
  'UNAUTHORIZED', 'consoleLogHook',
  'LIMIT_EXCEEDED', 'ReconnectBackoff'
]
const ENGINE_NAMES = [
  'ArgsValidator', 'DEFAULT_MAX_IN_FLIGHT', 'DEFAULT_MAX_PARAMS', 'DISCOVER_METHOD', 'DispatchContext',
  'DispatchResult', 'Dispatcher', 'DispatcherOptions', 'JsonBodyOptions', 'OPENRPC_VERSION',
  'OpenRpcContentDescriptor', 'OpenRpcDocument', 'OpenRpcInfo', 'OpenRpcMethod', 'PoisoningAction',
  'RegistryOptions', 'ResultEncoder', 'RpcLogger', 'RpcMethodEntry', 'RpcParameter', 'RpcRegistry',
  'buildOpenRpcDocument', 'buildRegistry', 'buildDispatcher', 'withDiscovery'
]

async function valuesOf (specifier: string, esm: boolean): Promise<string[]> {
  const script = esm
    ? `import(${JSON.stringify(specifier)}).then(m => console.log(JSON.stringify(Object.keys(m))))`
    : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)}))))`
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: packageRoot, env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 })
  // ESM re-exports of CommonJS also show the interop marker; it is not an API name.
  return (JSON.parse(stdout) as string[]).filter(name => name !== '__esModule').sort()
}

test('each entry point exports exactly its pinned values, from CommonJS and from ESM', async t => {
  for (const [specifier, expected] of [
    ['fastify-jsonrpc', ROOT_VALUES],
    ['fastify-jsonrpc/client', CLIENT_VALUES],
    ['fastify-jsonrpc/engine', ENGINE_VALUES]
  ] as const) {
    t.same(await valuesOf(specifier, false), [...expected].sort(), `require('${specifier}')`)
    t.same(await valuesOf(specifier, true), [...expected].sort(), `import('${specifier}')`)
  }
})

test('the browser bundle exports what fastify-jsonrpc/client does', async t => {
  t.same(await valuesOf('fastify-jsonrpc/browser', true), [...CLIENT_VALUES].sort())
})

test('each entry point exports exactly its pinned names, types included', async t => {
  const files = { 'index.ts': ROOT_NAMES, 'client/index.ts': CLIENT_NAMES, 'engine.ts': ENGINE_NAMES }
  const program = ts.createProgram(Object.keys(files).map(file => join(packageRoot, file)), {
    experimentalDecorators: true, emitDecoratorMetadata: true, strict: true, esModuleInterop: true, skipLibCheck: true, types: ['node']
  })
  const checker = program.getTypeChecker()
  for (const [file, expected] of Object.entries(files)) {
    const source = program.getSourceFile(join(packageRoot, file))
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
    t.ok(moduleSymbol, file)
    if (moduleSymbol === undefined) continue
    t.same(checker.getExportsOfModule(moduleSymbol).map(symbol => symbol.name).sort(), [...expected].sort(), file)
  }
})

test('no engine internal leaks into the root entry', async t => {
  for (const name of ENGINE_NAMES) {
    if (name === 'RpcLogger' || name === 'OpenRpcDocument' || name === 'OpenRpcInfo') continue // types an app writes against
    t.notOk(ROOT_NAMES.includes(name), `${name} is only in fastify-jsonrpc/engine`)
  }
})
