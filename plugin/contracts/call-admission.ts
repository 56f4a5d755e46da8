import type { JsonRpcErrorObject } from '../../protocol/messages'
import type { RpcContext } from './call-context'
import type { RpcMethodEntry } from './method-entry'

/** A call refused before it ran, and when the caller may try again. */
export interface CallRefusal {
  readonly error: JsonRpcErrorObject
  readonly retryAfterMs: number
}

/** Decides, before guards and the method, whether one call may run: a refusal, or undefined to let it run. */
export type AdmissionCheck = (context: RpcContext<unknown>) => Promise<CallRefusal | undefined>

/**
 * What decides whether calls may run (the rate limits are one), asked once
 * per method when the dispatcher is built: the method's check, or undefined
 * for a method it does not look at, whose calls then cost nothing more.
 */
export type CallAdmission = (entry: RpcMethodEntry) => AdmissionCheck | undefined
