import type { RpcGuard } from '../contracts/call-context'

/** A guard option as a list; undefined when it holds something other than functions. */
export function toGuardList (guard: RpcGuard | readonly RpcGuard[] | undefined): RpcGuard[] | undefined {
  const guards: unknown[] = guard === undefined ? [] : Array.isArray(guard) ? [...guard] : [guard]
  return guards.every(candidate => typeof candidate === 'function') ? guards as RpcGuard[] : undefined
}
