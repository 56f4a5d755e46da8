import type { JsonRpcId, JsonRpcRequest } from '../protocol/messages'
import type { RpcError } from '../protocol/rpc-error'
import { buildRequest, checkId, positionalParams, type RpcParams } from './request-message'

/** What became of one entry of a batch, in the order the entries were added. */
export type RpcBatchOutcome<TResult = unknown> =
  | { status: 'result', id: string | number, result: TResult }
  | { status: 'error', id: string | number, error: RpcError }
  | { status: 'notification' }

export interface RpcBatchCallOptions {
  /** The id to send instead of the client's next one; unique within the batch. */
  id?: string | number
}

/** How a batch reaches the server: given the requests, the responses by id. */
export type RpcBatchSender<TSendOptions> = (
  requests: readonly JsonRpcRequest[],
  ids: readonly JsonRpcId[],
  options: TSendOptions | undefined
) => Promise<Map<JsonRpcId, { ok: true, result: unknown } | { ok: false, error: RpcError }>>

/**
 * Collects calls and notifications, then sends them as one JSON-RPC batch.
 * Each call gets its own outcome: one failing call does not fail the others.
 */
export class RpcBatch<TSendOptions = unknown> {
  readonly #requests: JsonRpcRequest[] = []
  readonly #ids = new Set<string | number>()
  readonly #nextId: () => string | number
  readonly #sender: RpcBatchSender<TSendOptions>
  #sent = false

  constructor (nextId: () => string | number, sender: RpcBatchSender<TSendOptions>) {
    this.#nextId = nextId
    this.#sender = sender
  }

  /** How many entries the batch holds. */
  get size (): number {
    return this.#requests.length
  }

  /** Adds a call with positional params, like `RpcClient.request`. */
  request (method: string, ...args: unknown[]): this {
    return this.call(method, positionalParams(args))
  }

  /** Adds a call with params given as an array or an object. */
  call (method: string, params?: RpcParams, options: RpcBatchCallOptions = {}): this {
    this.#checkOpen()
    const id = options.id ?? this.#nextId()
    checkId(id)
    if (this.#ids.has(id)) throw new Error(`the batch already holds a call with id ${JSON.stringify(id)}`)
    const request = buildRequest(method, params, id)
    this.#ids.add(id)
    this.#requests.push(request)
    return this
  }

  /** Adds a notification with positional params, like `RpcClient.notify`. */
  notify (method: string, ...args: unknown[]): this {
    return this.notifyWith(method, positionalParams(args))
  }

  /** Adds a notification with params given as an array or an object. */
  notifyWith (method: string, params?: RpcParams): this {
    this.#checkOpen()
    this.#requests.push(buildRequest(method, params))
    return this
  }

  /** Sends the batch once; resolves to one outcome per entry, in order. */
  async send (options?: TSendOptions): Promise<RpcBatchOutcome[]> {
    this.#checkOpen()
    if (this.#requests.length === 0) throw new Error('an empty batch cannot be sent: the specification makes it an invalid request')
    this.#sent = true
    const requests = this.#requests
    const responses = await this.#sender(requests, [...this.#ids], options)
    return requests.map((request): RpcBatchOutcome => {
      if (request.id === undefined || request.id === null) return { status: 'notification' }
      const response = responses.get(request.id)
      // The sender guarantees a response for every id; this only narrows the type.
      if (response === undefined) throw new Error(`no response for id ${JSON.stringify(request.id)}`)
      return response.ok
        ? { status: 'result', id: request.id, result: response.result }
        : { status: 'error', id: request.id, error: response.error }
    })
  }

  #checkOpen (): void {
    if (this.#sent) throw new Error('this batch was sent already; start a new one with client.batch()')
  }
}
