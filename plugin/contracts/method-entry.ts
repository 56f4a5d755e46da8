import type { RpcGuard } from './call-context'
import type { RpcMethodOptions } from './method-options'
import type { ProblemList } from './params-problems'

/** Checks bound arguments; answers the problems, or undefined when all is well (a valid call allocates nothing). */
export type ArgsValidator = (args: readonly unknown[]) => ProblemList | undefined
/** Turns a method's result into JSON text; throws ResultMismatchError when it breaks its contract. */
export type ResultEncoder = (result: unknown) => string

export interface RpcParameter {
  /** The declared name, or `arg<i>` for a destructured parameter. */
  readonly name: string
  /** Position among the RPC params (an `@rpcContext()` parameter is not one). */
  readonly index: number
  readonly required: boolean
  /** A destructuring pattern in the declaration: it has no name callers could use. */
  readonly destructured: boolean
  /** The constructor TypeScript recorded in `design:paramtypes`, if any. */
  readonly designType: Function | undefined
}

/** Everything a call of one RPC method needs, decided at registration. */
export interface RpcMethodEntry {
  readonly name: string
  /** `Class.method`, for messages and logs. */
  readonly qualifiedName: string
  readonly invoke: (args: unknown[]) => unknown
  /** The parameters before any rest parameter, in order. */
  readonly parameters: readonly RpcParameter[]
  readonly rest: RpcParameter | undefined
  readonly byName: ReadonlyMap<string, RpcParameter>
  /** The fewest positional params that reach every required parameter. */
  readonly minPositional: number
  /** The most params accepted, by position or by name (counting a rest parameter's elements); the registry's maxParams with a rest parameter. */
  readonly maxPositional: number
  readonly returnType: Function | undefined
  /** Checks the bound arguments against the parameter schemas; undefined when nothing is checked. */
  readonly validateArgs: ArgsValidator | undefined
  /** Writes the result as JSON text, through its compiled serializer when it has a schema. */
  readonly encodeResult: ResultEncoder
  /** Milliseconds; 0 means no limit. */
  readonly timeout: number
  /** Where the method takes its `RpcContext` among its arguments; -1 when it takes none. */
  readonly contextIndex: number
  /** Plugin-wide guards, then the method's own. */
  readonly guards: readonly RpcGuard[]
  readonly options: Readonly<RpcMethodOptions>
}

export type RpcRegistry = ReadonlyMap<string, RpcMethodEntry>
