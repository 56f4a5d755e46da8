import type { JsonRpcId, JsonRpcParams, JsonRpcRequest } from '../protocol/messages'
import { isStringOrFiniteId } from '../protocol/checks'

/**
 * Params as callers hold them: any array (readonly tuples included) or any
 * object (interfaces included, which `Record<string, unknown>` would refuse).
 */
export type RpcParams = readonly unknown[] | object

/**
 * JSON has no `undefined`: trailing undefined arguments are left out, as an
 * omitted optional argument would be, rather than sent as `null`.
 */
export function positionalParams (args: readonly unknown[]): unknown[] | undefined {
  let end = args.length
  while (end > 0 && args[end - 1] === undefined) end--
  return end === 0 ? undefined : args.slice(0, end)
}

function checkParams (params: unknown): asserts params is RpcParams | undefined {
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    throw new TypeError(`JSON-RPC params must be an array or an object, got ${params === null ? 'null' : typeof params}`)
  }
}

function checkMethod (method: unknown): asserts method is string {
  if (typeof method !== 'string' || method === '') {
    throw new TypeError(`a JSON-RPC method name must be a non-empty string, got ${JSON.stringify(method) ?? String(method)}`)
  }
}

/** A request object in the specification's member order; no `id` makes it a notification. */
export function buildRequest (method: string, params: RpcParams | undefined, id?: JsonRpcId): JsonRpcRequest {
  checkMethod(method)
  checkParams(params)
  const request: JsonRpcRequest = { jsonrpc: '2.0', method }
  if (params !== undefined) request.params = params as JsonRpcParams
  if (id !== undefined) request.id = id
  return request
}

export function checkId (id: unknown): asserts id is string | number {
  if (isStringOrFiniteId(id)) return
  throw new TypeError(`a JSON-RPC request id must be a string or a finite number, got ${JSON.stringify(id) ?? String(id)}`)
}

/** The default id generator: 1, 2, 3... for each client. */
export function incrementingIds (): () => number {
  let last = 0
  return () => ++last
}
