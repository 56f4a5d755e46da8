/** Error codes defined by the JSON-RPC 2.0 specification, section 5.1. */
export const PARSE_ERROR = -32700
export const INVALID_REQUEST = -32600
export const METHOD_NOT_FOUND = -32601
export const INVALID_PARAMS = -32602
export const INTERNAL_ERROR = -32603

/**
 * Implementation-defined server errors use the range the specification reserves
 * for them (-32000 to -32099).
 */
export const CALL_TIMEOUT = -32000
export const UNAUTHORIZED = -32001
/** Refused without running: the server's bound on calls in flight (`maxInFlight`) was reached. Try again later. */
export const SERVER_BUSY = -32002
/** Refused without running: the caller used up its rate limit (`rateLimit`); `data.retryAfterMs` says when to try again. The code EIP-1474 uses. */
export const LIMIT_EXCEEDED = -32005

/** The messages the specification pairs with its codes. */
export const STANDARD_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  [PARSE_ERROR]: 'Parse error',
  [INVALID_REQUEST]: 'Invalid Request',
  [METHOD_NOT_FOUND]: 'Method not found',
  [INVALID_PARAMS]: 'Invalid params',
  [INTERNAL_ERROR]: 'Internal error',
  [CALL_TIMEOUT]: 'Call timed out',
  [UNAUTHORIZED]: 'Unauthorized',
  [SERVER_BUSY]: 'Server busy',
  [LIMIT_EXCEEDED]: 'Limit exceeded'
})
