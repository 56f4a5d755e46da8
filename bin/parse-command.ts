import { parseArgs } from 'node:util'
import type { JsonRpcParams } from '../protocol/messages'
import { DEFAULT_CLIENT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES } from '../client'
import { hasOwn } from '../protocol/checks'

export const USAGE = `Usage: fastify-jsonrpc call URL METHOD [ARG...] [options]
       fastify-jsonrpc call URL --batch FILE [options]
       fastify-jsonrpc types URL|FILE [-o FILE] [--name NAME]   (types --help)
       fastify-jsonrpc list URL|FILE                            (list --help)

Calls a JSON-RPC 2.0 method over HTTP (POST) and prints the exchange, one JSON
object per line:
  --> {request}
  <-- {response} (STATUS REASON)

Each ARG is parsed as JSON when it is valid JSON, else sent as a string:
  fastify-jsonrpc call http://127.0.0.1:3000/rpc hello Nancy    params ["Nancy"]
  fastify-jsonrpc call http://127.0.0.1:3000/rpc Sum 5 7        params [5,7]
  fastify-jsonrpc call http://127.0.0.1:3000/rpc hello '"42"'   params ["42"]
Put -- before arguments that start with a dash: Sum -- -5 7

Options:
  --named               Send the ARGs, written key=value, as by-name params:
                          call URL Sum --named a=5 b=7   params {"a":5,"b":7}
  --notify              Send a notification: no id, no response expected
  --batch FILE          Send FILE's JSON array of requests as one batch ("-"
                          reads standard input); a request with an "id" is a
                          call, one without is a notification
  --id ID               The request's id (default 1); a number when ID is one
  --timeout MS          Give up after MS milliseconds (default ${DEFAULT_CLIENT_TIMEOUT}; 0: never)
  --max-response-bytes BYTES
                        Refuse an answer larger than BYTES (default
                          ${DEFAULT_MAX_RESPONSE_BYTES}, 10 MiB)
  -H, --header 'NAME: VALUE'
                        Send an HTTP header, e.g. 'Authorization: Bearer t0k3n'
                          (repeatable)
  -h, --help            Show this help

Text from the server is printed with control characters escaped (\\u001b...).

Exit status:
  0  a result (or the notification was accepted)
  1  the server answered with a JSON-RPC error (its code and message are printed)
  2  the command line is wrong
  3  no JSON-RPC answer: connection refused, timeout, too large, not JSON,
     wrong id...
`

/** A command line that cannot be run; the message says why. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

interface Common {
  url: string
  timeout: number
  maxResponseBytes: number
  headers: Record<string, string>
}

export type Command =
  | { kind: 'help' }
  | (Common & { kind: 'call', method: string, params: JsonRpcParams | undefined, notify: boolean, id: string | number })
  | (Common & { kind: 'batch', file: string })

/** `5` is a number, `"5"` a string, `Nancy` (not JSON) the string "Nancy". */
export function parseArgument (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function parseNamed (args: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const arg of args) {
    const equals = arg.indexOf('=')
    if (equals < 1) throw new UsageError(`with --named, each argument is key=value; got ${JSON.stringify(arg)}`)
    const key = arg.slice(0, equals)
    if (hasOwn(params, key)) throw new UsageError(`the parameter ${JSON.stringify(key)} is given twice`)
    Object.defineProperty(params, key, { value: parseArgument(arg.slice(equals + 1)), enumerable: true, writable: true, configurable: true })
  }
  return params
}

export function parseHeaders (lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim()
    if (colon < 1 || name === '' || /\s/.test(name)) throw new UsageError(`a header is written 'NAME: VALUE'; got ${JSON.stringify(line)}`)
    headers[name] = line.slice(colon + 1).trim()
  }
  return headers
}

export function parseTimeout (text: string | undefined): number {
  if (text === undefined) return DEFAULT_CLIENT_TIMEOUT
  const timeout = Number(text)
  if (text.trim() === '' || !Number.isFinite(timeout) || timeout < 0) {
    throw new UsageError(`--timeout takes a number of milliseconds, 0 or more; got ${JSON.stringify(text)}`)
  }
  return timeout
}

function parseByteLimit (text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_RESPONSE_BYTES
  const limit = Number(text)
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`--max-response-bytes takes a whole number of bytes, 1 or more; got ${JSON.stringify(text)}`)
  }
  return limit
}

function parseId (text: string | undefined): string | number {
  if (text === undefined) return 1
  const value = parseArgument(text)
  if (typeof value === 'number' && Number.isFinite(value)) return value
  return typeof value === 'string' ? value : text
}

function parseUrl (text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${JSON.stringify(text)} is not a URL; write it whole, e.g. http://127.0.0.1:3000/rpc`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`only http: and https: URLs can be called; got ${JSON.stringify(text)}`)
  return text
}

/** Reads the command line (without `node` and the script); throws `UsageError` when it is wrong. */
export function parseCommand (argv: readonly string[]): Command {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        named: { type: 'boolean' },
        notify: { type: 'boolean' },
        batch: { type: 'string' },
        id: { type: 'string' },
        timeout: { type: 'string' },
        'max-response-bytes': { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new UsageError(`${message} (put -- before arguments that start with a dash)`)
  }
  const { values, positionals } = parsed
  if (values.help === true) return { kind: 'help' }
  const [command, url, method, ...args] = positionals
  if (command !== 'call') {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}; the commands are "call", "types" and "list"`)
  }
  if (url === undefined) throw new UsageError('call needs the URL of the endpoint')
  const common: Common = {
    url: parseUrl(url),
    timeout: parseTimeout(values.timeout),
    maxResponseBytes: parseByteLimit(values['max-response-bytes']),
    headers: parseHeaders(values.header ?? [])
  }

  if (values.batch !== undefined) {
    if (method !== undefined) throw new UsageError('--batch takes its calls from the file: give no METHOD or ARG')
    if (values.named === true || values.notify === true || values.id !== undefined) {
      throw new UsageError('--named, --notify and --id do not apply to --batch: write them in the file')
    }
    return { ...common, kind: 'batch', file: values.batch }
  }
  if (method === undefined) throw new UsageError('call needs a METHOD (or --batch FILE)')
  if (values.notify === true && values.id !== undefined) throw new UsageError('a notification has no id: --id and --notify do not go together')
  let params: JsonRpcParams | undefined
  if (values.named === true) params = parseNamed(args)
  else if (args.length > 0) params = args.map(parseArgument)
  return { ...common, kind: 'call', method, params, notify: values.notify === true, id: parseId(values.id) }
}
