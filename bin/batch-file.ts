import type { JsonRpcParams } from '../protocol/messages'
import { UsageError } from './parse-command'
import { isStringOrFiniteId } from '../protocol/checks'

export interface BatchFileEntry {
  method: string
  params: JsonRpcParams | undefined
  /** Absent for a notification. */
  id: string | number | undefined
}

/**
 * A batch file is what the specification calls a batch: a JSON array of
 * request objects. `jsonrpc` may be left out; an `id` makes an entry a call.
 */
export function parseBatchFile (text: string, name: string): BatchFileEntry[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${name} is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!Array.isArray(value) || value.length === 0) throw new UsageError(`${name} must hold a non-empty JSON array of requests`)
  const ids = new Set<string | number>()
  return value.map((element: unknown, index): BatchFileEntry => {
    const where = `${name}, element ${index}`
    if (typeof element !== 'object' || element === null || Array.isArray(element)) throw new UsageError(`${where}: a request is an object`)
    const request = element as Record<string, unknown>
    if (request.jsonrpc !== undefined && request.jsonrpc !== '2.0') throw new UsageError(`${where}: "jsonrpc" must be "2.0" when given`)
    if (typeof request.method !== 'string' || request.method === '') throw new UsageError(`${where}: "method" must be a non-empty string`)
    const params = request.params
    if (params !== undefined && (typeof params !== 'object' || params === null)) throw new UsageError(`${where}: "params" must be an array or an object`)
    const id = request.id
    if (id !== undefined && !isStringOrFiniteId(id)) {
      throw new UsageError(`${where}: "id" must be a string or a number (leave it out for a notification)`)
    }
    if (id !== undefined) {
      if (ids.has(id)) throw new UsageError(`${where}: the id ${JSON.stringify(id)} is used twice; each call needs its own`)
      ids.add(id)
    }
    return { method: request.method, params: params as JsonRpcParams | undefined, id }
  })
}
