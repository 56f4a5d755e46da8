/**
 * Checks that the server, the client and the command line all need, written
 * once. They read untrusted JSON, so none of them trusts the prototype chain.
 */

/** An own property, never one reached through the prototype (`__proto__`, `constructor`). */
export function hasOwn (object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key)
}

/**
 * A request id a JSON-RPC request may carry other than null: a string or a
 * finite number (`1e400` parses to Infinity, which JSON cannot spell back).
 */
export function isStringOrFiniteId (id: unknown): id is string | number {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}

/** `WebSocket.OPEN`, the same in ws and in browsers; a constant so no WebSocket class need be loaded. */
export const WEBSOCKET_OPEN = 1
