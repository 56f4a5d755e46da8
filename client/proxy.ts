/** The names of `T`'s string-named methods. */
export type RpcMethodNames<T> = {
  [K in keyof T]-?: K extends string ? (T[K] extends (...args: never[]) => unknown ? K : never) : never
}[keyof T]

/**
 * `T`'s methods as remote calls: same parameters, and a promise of what the
 * method returns (a method that already returns a promise is not wrapped twice).
 */
export type RpcProxy<T> = {
  readonly [K in RpcMethodNames<T>]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never
}

/** Property reads that must not turn into remote calls. */
const NOT_METHODS = new Set(['then', 'catch', 'finally', 'toJSON', 'constructor'])

/**
 * A proxy whose every property is a function calling the method of that name.
 * `then` is not a method, so awaiting the proxy itself does not make a call.
 */
export function createRpcProxy<T> (request: (method: string, args: unknown[]) => Promise<unknown>): RpcProxy<T> {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>()
  return new Proxy(Object.create(null) as object, {
    get (_target, property) {
      if (typeof property !== 'string' || NOT_METHODS.has(property)) return undefined
      let method = methods.get(property)
      if (method === undefined) {
        method = async (...args: unknown[]) => await request(property, args)
        methods.set(property, method)
      }
      return method
    }
  }) as RpcProxy<T>
}
