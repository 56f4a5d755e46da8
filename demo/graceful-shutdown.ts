import type { FastifyInstance } from 'fastify'

export interface ShutdownOptions {
  /** How long in-flight requests get before the process exits 1 regardless. */
  graceMs: number
}

/**
 * On SIGTERM or SIGINT: stop accepting, let in-flight requests finish, exit 0;
 * exit 1 if they are still running when the grace period ends. Fastify's
 * `close()` does the draining: the listener closes at once, idle keep-alive
 * sockets are dropped (forceCloseConnections 'idle'), requests arriving on open
 * sockets get 503 (return503OnClosing), and it resolves when the last
 * connection is gone; responses sent while draining carry `Connection: close`
 * so that happens as soon as the in-flight ones are answered. A second signal
 * changes nothing: the grace period already bounds the wait, and a cluster
 * primary forwards signals its workers may also get from the terminal.
 */
export function closeOnSignals (app: FastifyInstance, options: ShutdownOptions): void {
  let closing: Promise<void> | undefined

  // close() only drops keep-alive sockets that are idle when it starts; one
  // that carried an in-flight request would stay open after its response
  // until keepAliveTimeout (72 s) and hold up the exit. Telling the client
  // to close it means it will not send a request on a socket we are ending.
  app.addHook('onSend', function closeConnectionsWhileDraining (_request, reply, payload, done) {
    if (closing !== undefined) reply.header('connection', 'close')
    done(null, payload)
  })

  function shutdown (reason: string): void {
    if (closing !== undefined) return
    app.log.info({ reason, graceMs: options.graceMs }, 'shutting down: no new connections, draining in-flight requests')
    const timer = setTimeout(() => {
      app.log.error({ graceMs: options.graceMs }, 'shutdown grace period expired with requests still in flight')
      process.exit(1)
    }, options.graceMs)
    // Backstop for responses already on the wire when the signal came, without the header.
    const sweep = setInterval(() => { app.server.closeIdleConnections() }, 100)
    closing = app.close().then(
      () => {
        clearTimeout(timer)
        clearInterval(sweep)
        app.log.info('server closed')
        process.exit(0)
      },
      (error: unknown) => {
        clearTimeout(timer)
        clearInterval(sweep)
        app.log.error({ err: error }, 'server close failed')
        process.exit(1)
      }
    )
  }

  process.on('SIGTERM', () => { shutdown('SIGTERM') })
  process.on('SIGINT', () => { shutdown('SIGINT') })
}
