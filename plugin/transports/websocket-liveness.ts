import { CLOSE_NORMAL, type RpcSocketSession } from './websocket-session'

export interface LivenessOptions {
  /** Milliseconds between pings; 0 for none. */
  heartbeatMs: number
  /** Milliseconds without traffic before an idle connection is closed; 0 for never. */
  idleTimeoutMs: number
}

/** How often idle connections are looked for: a connection is closed between 1 and 1.25 idle timeouts after its last message. */
const IDLE_SWEEPS_PER_TIMEOUT = 4

/**
 * Heartbeat and idle timeout for the connections of one plugin instance, with
 * one timer each for all of them (not one per connection), started with the
 * first connection and stopped with the last. The timers are unref'd: they
 * never keep a process alive.
 */
export class ConnectionLiveness {
  private readonly sessions = new Set<RpcSocketSession>()
  private heartbeat: NodeJS.Timeout | undefined
  private idleSweep: NodeJS.Timeout | undefined

  constructor (private readonly options: LivenessOptions) {}

  get size (): number {
    return this.sessions.size
  }

  add (session: RpcSocketSession): void {
    this.sessions.add(session)
    if (this.sessions.size === 1) this.startTimers()
  }

  delete (session: RpcSocketSession): void {
    this.sessions.delete(session)
    if (this.sessions.size === 0) this.stopTimers()
  }

  private startTimers (): void {
    const { heartbeatMs, idleTimeoutMs } = this.options
    if (heartbeatMs > 0) this.heartbeat = setInterval(this.beat, heartbeatMs).unref()
    if (idleTimeoutMs > 0) this.idleSweep = setInterval(this.sweepIdle, Math.max(1, Math.floor(idleTimeoutMs / IDLE_SWEEPS_PER_TIMEOUT))).unref()
  }

  private stopTimers (): void {
    clearInterval(this.heartbeat)
    clearInterval(this.idleSweep)
    this.heartbeat = this.idleSweep = undefined
  }

  /** A peer that has not answered the previous ping is gone (or does not read): it cannot take a close frame either. */
  private readonly beat = (): void => {
    for (const session of this.sessions) {
      if (session.closing) continue
      if (!session.awaitingPong) {
        session.ping()
      } else if (!session.heldByOwnWork) {
        session.terminate(`cutting off a WebSocket peer that did not answer a ping within ${this.options.heartbeatMs} ms`)
      }
    }
  }

  private readonly sweepIdle = (): void => {
    const idleSince = Date.now() - this.options.idleTimeoutMs
    for (const session of this.sessions) {
      if (!session.closing && !session.busy && session.lastActivity <= idleSince) {
        session.close(CLOSE_NORMAL, `idle for ${this.options.idleTimeoutMs} ms`)
      }
    }
  }
}
