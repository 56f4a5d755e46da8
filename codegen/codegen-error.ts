/**
 * Why a document could not be turned into types. Each kind has its own exit
 * status in the CLI, so that a script can tell a server that is down from a
 * document that is wrong.
 */
export type CodegenErrorKind =
  /** Not an OpenRPC document this generator can read: not JSON, a meta-schema failure, a method named twice. */
  | 'not-openrpc'
  /** With `strict`, a schema has parts TypeScript cannot express; or the library failed on a schema. */
  | 'inexpressible'
  /** The optional peer json-schema-to-typescript is not installed. */
  | 'missing-generator'
  /** The options asked for something impossible (an interface name that is not an identifier, or that a schema already uses). */
  | 'bad-option'

export class CodegenError extends Error {
  readonly kind: CodegenErrorKind
  /** One line per problem, for the message's detail. */
  readonly details: readonly string[]

  constructor (kind: CodegenErrorKind, message: string, details: readonly string[] = []) {
    super(message)
    this.name = 'CodegenError'
    this.kind = kind
    this.details = details
  }
}
