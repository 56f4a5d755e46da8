import { parseArgs, type ParseArgsConfig } from 'node:util'
import { RpcClient, RpcError, RpcTransportError } from '../client'
import { CodegenError, printable, type CodegenNote } from '../codegen'
import {
  EXIT_ERROR_RESPONSE, EXIT_INEXPRESSIBLE, EXIT_MISSING_GENERATOR, EXIT_NOT_OPENRPC, EXIT_TRANSPORT, EXIT_USAGE
} from './exit-status'
import { parseHeaders, parseTimeout, UsageError } from './parse-command'

/** What `types` and `list` touch outside themselves (the same shape as `call`'s). */
export interface DocumentCommandIo {
  out: (line: string) => void
  err: (line: string) => void
  /** Reads a file, or standard input for "-". */
  readFile: (path: string) => Promise<string>
}

/** The options `types` and `list` share: where the document comes from. */
export const SOURCE_OPTIONS = {
  timeout: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  help: { type: 'boolean', short: 'h' }
} as const satisfies ParseArgsConfig['options']

export const SOURCE_HELP = `  -H, --header 'NAME: VALUE'
                        Send an HTTP header with rpc.discover, e.g.
                          'Authorization: Bearer t0k3n' (repeatable)
  --timeout MS          Give up on the server after MS milliseconds
                          (default 30000; 0: never)
  -h, --help            Show this help`

export const EXIT_HELP = `Exit status:
  0  done
  1  the server answered rpc.discover with a JSON-RPC error (discovery off,
       a guard refused the call...)
  2  the command line is wrong, or FILE cannot be read (or -o FILE written)
  3  no JSON-RPC answer: connection refused, timeout, not JSON...
  4  not an OpenRPC document: not JSON, fails the OpenRPC meta-schema, or
       names a method twice
  5  a schema cannot be expressed in TypeScript (with --strict: any part that
       would be typed unknown)
  6  json-schema-to-typescript is not installed (npm install --save-dev
       json-schema-to-typescript)`

export interface DocumentSource {
  /** A URL (rpc.discover is called there), a file path, or "-" for standard input. */
  source: string
  timeout: number
  headers: Record<string, string>
}

export interface ParsedDocumentCommand {
  help: boolean
  values: Record<string, string | boolean | string[] | undefined>
  /** undefined with --help. */
  source: DocumentSource | undefined
}

/** Parses a command line of `types` or `list`; throws UsageError when it is wrong. */
export function parseDocumentCommand (argv: readonly string[], options: ParseArgsConfig['options'], name: string): ParsedDocumentCommand {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { ...SOURCE_OPTIONS, ...options } })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  const help = (values as { help?: boolean }).help === true
  if (help) return { help, values, source: undefined }
  if (positionals.length === 0) throw new UsageError(`${name} needs the URL of the endpoint, or an OpenRPC document's file`)
  if (positionals.length > 1) throw new UsageError(`${name} takes one URL or FILE; got ${positionals.length}: ${positionals.map(text => JSON.stringify(text)).join(' ')}`)
  const source: DocumentSource = {
    source: positionals[0] as string,
    timeout: parseTimeout((values as { timeout?: string }).timeout),
    headers: parseHeaders((values as { header?: string[] }).header ?? [])
  }
  return { help, values, source }
}

function isHttpUrl (text: string): boolean {
  return /^https?:\/\//i.test(text)
}

/**
 * The OpenRPC document, not yet checked: the result of `rpc.discover` at a
 * URL (through this package's RpcClient, with the given headers), or the
 * JSON of a file.
 */
export async function readDocument ({ source, timeout, headers }: DocumentSource, io: DocumentCommandIo): Promise<unknown> {
  if (isHttpUrl(source)) {
    if (!URL.canParse(source)) throw new UsageError(`${JSON.stringify(source)} is not a URL; write it whole, e.g. http://127.0.0.1:3000/rpc`)
    return await new RpcClient(source, { timeout, headers }).call('rpc.discover')
  }
  const name = source === '-' ? 'standard input' : source
  let text: string
  try {
    text = await io.readFile(source)
  } catch (error) {
    throw new UsageError(`cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    const reason = error instanceof RangeError ? 'it is nested too deeply' : error instanceof Error ? error.message : String(error)
    throw new CodegenError('not-openrpc', `${name} is not JSON: ${reason}`)
  }
}

/** How a source is named in messages. */
export function sourceName (source: string): string {
  return source === '-' ? 'standard input' : source
}

export function reportNotes (notes: readonly CodegenNote[], io: DocumentCommandIo): void {
  for (const note of notes) io.err(printable(`warning: ${note.where}: ${note.reason}`))
}

const EXIT_BY_KIND = {
  'not-openrpc': EXIT_NOT_OPENRPC,
  inexpressible: EXIT_INEXPRESSIBLE,
  'missing-generator': EXIT_MISSING_GENERATOR,
  'bad-option': EXIT_USAGE
} as const

/**
 * Says what went wrong in one or a few lines and gives the exit status.
 * Anything else is a bug of this package, and is thrown on.
 */
export function reportFailure (error: unknown, command: string, terminal: DocumentCommandIo): number {
  // Messages may quote the server's words: no control character reaches the terminal.
  const io = { err: (line: string) => { terminal.err(printable(line)) } }
  if (error instanceof UsageError) {
    io.err(`fastify-jsonrpc ${command}: ${error.message}`)
    io.err(`Run fastify-jsonrpc ${command} --help for the usage.`)
    return EXIT_USAGE
  }
  if (error instanceof CodegenError) {
    io.err(`fastify-jsonrpc ${command}: ${error.message}`)
    for (const detail of error.details) io.err(`  ${detail}`)
    return EXIT_BY_KIND[error.kind]
  }
  if (error instanceof RpcError) {
    const data = error.data === undefined ? '' : ` (data: ${JSON.stringify(error.data)})`
    io.err(`fastify-jsonrpc ${command}: the server answered rpc.discover with the error ${error.code} ${error.message}${data}`)
    if (error.code === -32601) io.err('  (is OpenRPC discovery turned off on that server?)')
    return EXIT_ERROR_RESPONSE
  }
  if (error instanceof RpcTransportError) {
    io.err(`fastify-jsonrpc ${command}: transport error (${error.kind}): ${error.message}`)
    return EXIT_TRANSPORT
  }
  if (error instanceof TypeError) {
    // The client's checks of what it is asked to send (a header value, a URL).
    io.err(`fastify-jsonrpc ${command}: ${error.message}`)
    return EXIT_USAGE
  }
  throw error
}
