/** The slice of a pino / Fastify logger the engine uses. */
export interface RpcLogger {
  error: (obj: object, msg: string) => void
  debug: (obj: object, msg: string) => void
}
