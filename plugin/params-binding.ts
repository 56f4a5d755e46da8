import { INVALID_PARAMS } from '../protocol/error-codes'
import { RpcError } from '../protocol/rpc-error'
import type { RpcMethodEntry } from './registry'

/** One reason params were refused; `path` is a JSON pointer into the params by parameter name. */
export interface ParamsProblem {
  path: string
  message: string
}

export function invalidParams (problems: ParamsProblem[]): RpcError<ParamsProblem[]> {
  return new RpcError(INVALID_PARAMS, 'Invalid params', problems)
}

function plural (count: number): string {
  return count === 1 ? '1 param' : `${count} params`
}

function expectedCount (entry: RpcMethodEntry): string {
  if (entry.maxPositional === Infinity) return `at least ${plural(entry.minPositional)}`
  if (entry.minPositional === entry.maxPositional) return plural(entry.minPositional)
  return `${entry.minPositional} to ${plural(entry.maxPositional)}`
}

function bindPositional (entry: RpcMethodEntry, params: unknown[]): unknown[] {
  if (params.length < entry.minPositional || params.length > entry.maxPositional) {
    throw invalidParams([{ path: '', message: `${entry.name} takes ${expectedCount(entry)}, got ${params.length}` }])
  }
  return params
}

function bindNamed (entry: RpcMethodEntry, params: Record<string, unknown>): unknown[] {
  const problems: ParamsProblem[] = []
  const args: unknown[] = []
  for (const key of Object.keys(params)) {
    const param = entry.byName.get(key)
    if (param === undefined) {
      problems.push({ path: `/${key}`, message: `unknown parameter "${key}"` })
    } else if (param === entry.rest) {
      const value = params[key]
      if (!Array.isArray(value)) {
        problems.push({ path: `/${key}`, message: `rest parameter "${key}" takes an array` })
      }
    } else {
      args[param.index] = params[key]
    }
  }
  for (const param of entry.parameters) {
    if (param.required && !Object.prototype.hasOwnProperty.call(params, param.name)) {
      problems.push({ path: `/${param.name}`, message: `missing required parameter "${param.name}"` })
    }
  }
  if (problems.length > 0) throw invalidParams(problems)
  if (entry.rest !== undefined && Object.prototype.hasOwnProperty.call(params, entry.rest.name)) {
    args.length = entry.parameters.length
    args.push(...(params[entry.rest.name] as unknown[]))
  }
  return args
}

function bind (entry: RpcMethodEntry, params: unknown[] | Record<string, unknown> | undefined): unknown[] {
  if (params === undefined) return bindPositional(entry, [])
  if (Array.isArray(params)) return bindPositional(entry, params)
  return bindNamed(entry, params)
}

/**
 * Turns a request's params, by position or by name, into the method's
 * arguments, and checks them against the method's parameter schemas.
 */
export function bindParams (entry: RpcMethodEntry, params: unknown[] | Record<string, unknown> | undefined): unknown[] {
  const args = bind(entry, params)
  if (entry.validateArgs !== undefined) {
    const problems = entry.validateArgs(args)
    if (problems !== undefined) throw invalidParams(problems)
  }
  return args
}
