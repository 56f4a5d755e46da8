/** The exit statuses of every `fastify-jsonrpc` command, in one place so that they stay distinct. */
export const EXIT_RESULT = 0
/** The server answered with a JSON-RPC error. */
export const EXIT_ERROR_RESPONSE = 1
/** The command line is wrong (or names a file that cannot be read or written). */
export const EXIT_USAGE = 2
/** No JSON-RPC answer: connection refused, timeout, not JSON, wrong id... */
export const EXIT_TRANSPORT = 3
/** `types`, `list`: the document is not a valid OpenRPC document. */
export const EXIT_NOT_OPENRPC = 4
/** `types`, `list`: a schema cannot be expressed in TypeScript (`--strict`, or the library failed). */
export const EXIT_INEXPRESSIBLE = 5
/** `types`, `list`: the optional peer json-schema-to-typescript is not installed. */
export const EXIT_MISSING_GENERATOR = 6
