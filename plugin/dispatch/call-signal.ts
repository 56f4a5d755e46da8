/**
 * The signal of a call with a timeout: aborted when the time is up or when
 * the transport's signal aborts (the client went away), whichever comes
 * first. Calls without a timeout are handed the transport's signal itself,
 * so they allocate nothing.
 */
export class CallSignal {
  private readonly controller = new AbortController()
  private readonly transport: AbortSignal | undefined
  private readonly forward: (() => void) | undefined

  constructor (transport: AbortSignal | undefined) {
    this.transport = transport
    if (transport === undefined) return
    // Defensive: the engine starts no call once the transport's signal aborted, but a caller of the class might.
    if (transport.aborted) {
      this.controller.abort(transport.reason)
      return
    }
    const controller = this.controller
    this.forward = () => { controller.abort(transport.reason) }
    transport.addEventListener('abort', this.forward, { once: true })
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** The call's time is up: abort with `reason` and stop following the transport. */
  expire (reason: unknown): void {
    this.controller.abort(reason)
    this.release()
  }

  /**
   * The call settled: stop following the transport's signal. Without this a
   * long-lived connection's signal would keep a listener per call it ever ran.
   */
  release (): void {
    if (this.forward !== undefined) this.transport?.removeEventListener('abort', this.forward)
  }
}
