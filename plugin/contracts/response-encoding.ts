import fastJsonStringify from 'fast-json-stringify'
import type { JsonRpcErrorObject, JsonRpcId } from '../../protocol/messages'

/** Compiled once: the error object's members are known, only `data` is free-form. */
const serializeErrorObject = fastJsonStringify({
  type: 'object',
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    data: {}
  },
  required: ['code', 'message']
})

/**
 * Response envelopes are written as text: the member order is fixed, so the
 * only work per response is encoding the id and the result or error.
 */
export function encodeId (id: JsonRpcId): string {
  return typeof id === 'string' ? JSON.stringify(id) : String(id)
}

/** `result` must already be JSON text. */
export function successJson (resultJson: string, id: JsonRpcId): string {
  return '{"jsonrpc":"2.0","result":' + resultJson + ',"id":' + encodeId(id) + '}'
}

/** Throws when `error.data` cannot be encoded; callers fall back to an error without data. */
export function errorJson (error: JsonRpcErrorObject, id: JsonRpcId): string {
  return '{"jsonrpc":"2.0","error":' + serializeErrorObject(error) + ',"id":' + encodeId(id) + '}'
}

/** `JSON.stringify` that answers `null` where JSON has no value (undefined, functions, symbols). */
export function stringifyResult (result: unknown): string {
  return JSON.stringify(result) ?? 'null'
}
