import { INVALID_PARAMS } from '../../protocol/error-codes'
import { RpcError } from '../../protocol/rpc-error'
import { escapePointer, ProblemList, quoteName, type ParamsProblem } from '../contracts/params-problems'
import type { RpcMethodEntry } from '../contracts/method-entry'
import { hasOwn } from '../../protocol/checks'

export type { ParamsProblem } from '../contracts/params-problems'

export function invalidParams (problems: ParamsProblem[]): RpcError<ParamsProblem[]> {
  return new RpcError(INVALID_PARAMS, 'Invalid params', problems)
}

function refuse (problems: ProblemList): never {
  throw invalidParams(problems.toData())
}

function refuseOne (path: string, message: string): never {
  throw invalidParams([{ path, message }])
}

function plural (count: number): string {
  return count === 1 ? '1 param' : `${count} params`
}

/** For a method without a rest parameter. */
function expectedCount (entry: RpcMethodEntry): string {
  if (entry.minPositional === entry.maxPositional) return plural(entry.minPositional)
  return `${entry.minPositional} to ${plural(entry.maxPositional)}`
}

function bindPositional (entry: RpcMethodEntry, params: unknown[]): unknown[] {
  const count = params.length
  if (count < entry.minPositional) {
    refuseOne('', entry.rest === undefined
      ? `${entry.name} takes ${expectedCount(entry)}, got ${count}`
      : `${entry.name} takes at least ${plural(entry.minPositional)}, got ${count}`)
  }
  if (count > entry.maxPositional) {
    // With a rest parameter the most is the plugin's maxParams, which also keeps `apply` below V8's argument limit.
    refuseOne('', entry.rest === undefined
      ? `${entry.name} takes ${expectedCount(entry)}, got ${count}`
      : `${entry.name} takes at most ${plural(entry.maxPositional)} (maxParams), got ${count}`)
  }
  return params
}

/** One pass over the members; every problem goes to one capped list, so 90,000 unknown names cost one pass and a short answer. */
function bindNamed (entry: RpcMethodEntry, params: Record<string, unknown>): { args: unknown[], problems: ProblemList | undefined } {
  let problems: ProblemList | undefined
  const args: unknown[] = []
  let restElements: unknown[] | undefined
  for (const key of Object.keys(params)) {
    const param = entry.byName.get(key)
    if (param === undefined) {
      problems ??= new ProblemList()
      if (problems.full) problems.count(1)
      else problems.add('/' + escapePointer(key), `unknown parameter ${quoteName(key)}`)
    } else if (param === entry.rest) {
      const value = params[key]
      if (!Array.isArray(value)) {
        (problems ??= new ProblemList()).add('/' + escapePointer(key), `rest parameter "${key}" takes an array`)
      } else if (entry.parameters.length + value.length > entry.maxPositional) {
        const most = entry.maxPositional - entry.parameters.length
        refuseOne('/' + escapePointer(key), `rest parameter "${key}" takes at most ${most} elements (maxParams), got ${value.length}`)
      } else {
        restElements = value
      }
    } else {
      args[param.index] = params[key]
    }
  }
  for (const param of entry.parameters) {
    if (param.required && !hasOwn(params, param.name)) {
      (problems ??= new ProblemList()).add('/' + escapePointer(param.name), `missing required parameter "${param.name}"`)
    }
  }
  if (problems === undefined && restElements !== undefined) {
    args.length = entry.parameters.length
    // A loop, not push(...elements): spreading thousands of elements as arguments can overflow the stack.
    for (const element of restElements) args.push(element)
  }
  return { args, problems }
}

/**
 * Turns a request's params, by position or by name, into the method's
 * arguments, and checks them against the method's parameter schemas.
 */
export function bindParams (entry: RpcMethodEntry, params: unknown[] | Record<string, unknown> | undefined): unknown[] {
  if (params === undefined || Array.isArray(params)) {
    const args = bindPositional(entry, params ?? [])
    const problems = entry.validateArgs?.(args)
    if (problems !== undefined) refuse(problems)
    return args
  }
  const { args, problems } = bindNamed(entry, params)
  // Values are checked only once the names bind: a schema problem of a call that named the wrong params says little.
  if (problems !== undefined) refuse(problems)
  const invalid = entry.validateArgs?.(args)
  if (invalid !== undefined) refuse(invalid)
  return args
}
