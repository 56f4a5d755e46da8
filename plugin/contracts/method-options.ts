import type { JsonRpcErrorObject } from '../../protocol/messages'
import type { RpcContext, RpcGuard } from './call-context'
import type { JSONSchema } from './json-schema'

/** A rate limit: `points` calls per `duration` seconds for each caller, the caller named by `key`. */
export interface RateLimitRule {
  /** Calls allowed per `duration`; each call of a batch and each notification costs one. */
  points: number
  /** Seconds of the window (the unit rate-limiter-flexible uses). */
  duration: number
  /** Names the caller; default: the plugin-wide `rateLimit.key`, else the client's IP (`request.ip`). */
  key?: (context: RpcContext) => string
}

/** The options of `@rpcMethod()`: what a service author says about one method. */
export interface RpcMethodOptions {
  /** The name clients call; defaults to the method's own name. */
  name?: string
  /**
   * Parameters a caller may leave out. A parameter with a default value is
   * optional already; a TypeScript `?` leaves no trace at run time, so list
   * such parameters here.
   */
  optional?: readonly string[]
  /** Milliseconds an asynchronous call may take before it is answered with CALL_TIMEOUT. */
  timeout?: number
  /**
   * JSON Schemas for parameters, by parameter name. Each replaces the schema
   * derived from the TypeScript type (string, number, boolean, array). For a
   * rest parameter (`...values`) the schema describes each element.
   * `$ref` reaches schemas added with `fastify.addSchema` before the plugin.
   */
  params?: Readonly<Record<string, JSONSchema>>
  /**
   * The JSON Schema of the result. The result is checked against it and
   * written by a serializer compiled from it; a result that does not match
   * is answered with -32603 Internal error and logged. Without it, a
   * `string`, `number` or `boolean` return type is checked, and anything
   * else is written with JSON.stringify.
   */
  result?: JSONSchema
  /**
   * Checked before the method runs (after any plugin-wide `guard`), in order;
   * the first to refuse answers the call.
   */
  guard?: RpcGuard | readonly RpcGuard[]
  /**
   * This method's own rate limit, counted apart from the other methods' (the
   * plugin-wide `rateLimit` still applies too). A refused call is answered
   * -32005 "Limit exceeded" with `data: { retryAfterMs }`.
   */
  rateLimit?: RateLimitRule
  /** A short summary, for the OpenRPC document. */
  summary?: string
  /** A longer description (Markdown), for the OpenRPC document. */
  description?: string
  /** Marks the method deprecated in the OpenRPC document. */
  deprecated?: boolean
  /** Application errors the method may answer with, for the OpenRPC document. */
  errors?: readonly JsonRpcErrorObject[]
  /**
   * `false`: no span and no metrics for this method's calls, for very hot
   * methods (docs/telemetry.md). Default true (when the plugin's `telemetry` is on).
   */
  telemetry?: boolean
}
