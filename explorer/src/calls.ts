import { RpcClient, RpcError, RpcTransportError, type RpcLogEvent, type RpcServerNotification } from './client.mjs'

/** How one call went, for the answer panel. */
export interface CallOutcome {
  /** The exchange as the client logs it: `--> {request}` and `<-- {answer} (STATUS)`. */
  lines: string[]
  /** `200 OK`, `404 Not Found`; undefined over WebSocket or when no answer came. */
  status: string | undefined
  ms: number
  kind: 'result' | 'error' | 'accepted' | 'failure'
  result?: unknown
  error?: { code: number, message: string, data: unknown }
  /** What went wrong when no JSON-RPC answer came back. */
  failure?: string
}

export interface CallRequest {
  method: string
  params: unknown[] | Record<string, unknown> | undefined
  notification: boolean
}

async function settle (lines: string[], started: number, send: () => Promise<unknown>, notification: boolean): Promise<CallOutcome> {
  const base = { lines, status: undefined, ms: 0 }
  try {
    const result = await send()
    return notification ? { ...base, kind: 'accepted', ms: performance.now() - started } : { ...base, kind: 'result', result, ms: performance.now() - started }
  } catch (error) {
    const ms = performance.now() - started
    if (error instanceof RpcError) return { ...base, ms, kind: 'error', error: { code: error.code, message: error.message, data: error.data } }
    if (error instanceof RpcTransportError) return { ...base, ms, kind: 'failure', failure: `${error.kind}: ${error.message}` }
    return { ...base, ms, kind: 'failure', failure: error instanceof Error ? error.message : String(error) }
  }
}

function send (client: RpcClient, request: CallRequest): Promise<unknown> {
  return request.notification
    ? client.notifyWith(request.method, request.params)
    : client.call(request.method, request.params)
}

/** One call over HTTP with a client of its own, so its log holds this exchange only. */
export async function callOverHttp (endpoint: string, headers: Record<string, string>, request: CallRequest): Promise<CallOutcome> {
  const lines: string[] = []
  let status: string | undefined
  const client = new RpcClient(endpoint, {
    headers,
    log: (event: RpcLogEvent) => {
      lines.push(event.line)
      if (event.direction === 'response') status = `${event.status} ${event.statusText}`.trim()
    }
  })
  const outcome = await settle(lines, performance.now(), async () => await send(client, request), request.notification)
  return { ...outcome, status }
}

function idOf (body: string): number | string | undefined {
  try {
    const message: unknown = JSON.parse(body)
    const id = typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as { id?: unknown }).id : undefined
    return typeof id === 'number' || typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * One WebSocket for the page, through RpcClient: calls share it and the
 * server's notifications arrive on it. Each call's transcript gets the lines
 * carrying its id; notifications go to `onNotification`.
 */
export class SocketSession {
  readonly url: string
  readonly #client: RpcClient
  readonly #transcripts = new Map<number | string, string[]>()
  /** Request lines of notifications sent, waiting for their sender to pick them up. */
  readonly #sentNotifications: string[] = []
  #nextId = 1
  #lastId = 0

  constructor (url: string, onNotification: (notification: RpcServerNotification) => void) {
    this.url = url
    this.#client = new RpcClient(url, {
      idGenerator: () => (this.#lastId = this.#nextId++),
      log: event => { this.#route(event) }
    })
    this.#client.onNotification('*', (_params, notification) => { onNotification(notification) })
  }

  #route (event: RpcLogEvent): void {
    const id = idOf(event.body)
    if (id !== undefined) {
      this.#transcripts.get(id)?.push(event.line)
    } else if (event.direction === 'request') {
      this.#sentNotifications.push(event.line)
    }
  }

  async call (request: CallRequest): Promise<CallOutcome> {
    const started = performance.now()
    if (request.notification) {
      const outcome = await settle([], started, async () => await send(this.#client, request), true)
      const line = this.#sentNotifications.shift()
      return { ...outcome, lines: line === undefined ? [] : [line] }
    }
    const lines: string[] = []
    // RpcClient takes the call's id synchronously, before its first await: #lastId is this call's.
    const sending = send(this.#client, request)
    const id = this.#lastId
    this.#transcripts.set(id, lines)
    try {
      return await settle(lines, started, async () => await sending, false)
    } finally {
      this.#transcripts.delete(id)
    }
  }

  close (): void {
    this.#client.close()
  }
}
