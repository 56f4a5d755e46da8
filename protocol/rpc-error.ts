import { STANDARD_MESSAGES } from './error-codes'
import type { JsonRpcErrorObject } from './messages'

/**
 * A JSON-RPC error. Thrown by a method, it becomes the `error` member of the
 * response; received by the client, it is what the call rejects with.
 */
export class RpcError<TData = unknown> extends Error {
  readonly code: number
  readonly data: TData | undefined

  constructor (code: number, message?: string, data?: TData) {
    if (!Number.isInteger(code)) {
      throw new TypeError(`RpcError code must be an integer, got ${String(code)}`)
    }
    super(message ?? STANDARD_MESSAGES[code] ?? 'Server error')
    this.name = 'RpcError'
    this.code = code
    this.data = data
  }

  /** The error object as it travels in a response. */
  toJSON (): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data }
  }

  /** Rebuilds an error received in a response. */
  static fromObject (error: JsonRpcErrorObject): RpcError {
    return new RpcError(error.code, error.message, error.data)
  }
}
