import type { JsonRpcErrorObject } from '../../protocol/messages'
import type { RpcContext } from './call-context'
import type { RpcMethodEntry } from './method-entry'

/** A call refused before it ran, and when the caller may try again. */
export interface CallRefusal {
  readonly error: JsonRpcErrorObject
  readonly retryAfterMs: number
}

/**
 * Decides, before guards and the method, whether a call may run (the rate
 * limits are one). Answers undefined at once for a call it does not look at,
 * so such calls cost no promise; otherwise a promise of the refusal, or of
 * undefined to let the call run. Built once at registration.
 */
export type CallAdmission = (entry: RpcMethodEntry, context: RpcContext<unknown>) => Promise<CallRefusal | undefined> | undefined
