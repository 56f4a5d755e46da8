/** Names the proxy never turns into calls, so that it is not mistaken for a promise or serialised. */
export type RpcProxyReservedName = 'then' | 'catch' | 'finally' | 'toJSON' | 'constructor'

/** The names of `T`'s string-named methods, less the reserved ones. */
export type RpcMethodNames<T> = Exclude<{
  [K in keyof T]-?: K extends string ? (T[K] extends (...args: never[]) => unknown ? K : never) : never
}[keyof T], RpcProxyReservedName>

/**
 * `T`'s methods as remote calls: same parameters, and a promise of what the
 * method returns (a method that already returns a promise is not wrapped twice).
 */
export type RpcProxy<T> = {
  readonly [K in RpcMethodNames<T>]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never
}

/**
 * `T`'s methods as notifications: same parameters, and a promise that
 * settles once the server has taken the message (a notification gets no answer).
 */
export type RpcNotifier<T> = {
  readonly [K in RpcMethodNames<T>]: T[K] extends (...args: infer A) => unknown
    ? (...args: A) => Promise<void>
    : never
}

const RESERVED_NAMES: ReadonlySet<string> = new Set<RpcProxyReservedName>(['then', 'catch', 'finally', 'toJSON', 'constructor'])

/**
 * A proxy whose every property is a function calling the method of that name.
 * `then` is not a method, so awaiting the proxy itself does not make a call.
 */
export function buildRpcProxy<T> (request: (method: string, args: unknown[]) => Promise<unknown>): RpcProxy<T> {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>()
  return new Proxy(Object.create(null) as object, {
    get (_target, property) {
      if (typeof property !== 'string' || RESERVED_NAMES.has(property)) return undefined
      let method = methods.get(property)
      if (method === undefined) {
        method = async (...args: unknown[]) => await request(property, args)
        methods.set(property, method)
      }
      return method
    }
  }) as RpcProxy<T>
}
