/**
 * The try-it form's call written out for other tools: curl, the package's
 * CLI and RpcClient code. Pure functions of what the form holds.
 */
export type Headers = ReadonlyArray<readonly [string, string]>

export interface CallSpec {
  /** The endpoint's absolute URL. */
  url: string
  method: string
  /** `undefined`: no params member. */
  params: unknown[] | Record<string, unknown> | undefined
  headers: Headers
  notification: boolean
  /** The id the request carries (not used for a notification). */
  id: number
}

/** Quotes for a POSIX shell: bare when nothing in the word is special, else in single quotes. */
export function shellQuote (word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word
  return `'${word.replace(/'/g, "'\\''")}'`
}

export function requestBody (spec: CallSpec): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    method: spec.method,
    ...(spec.params === undefined ? {} : { params: spec.params }),
    ...(spec.notification ? {} : { id: spec.id })
  })
}

export function curlCommand (spec: CallSpec): string {
  const parts = ['curl -sS', shellQuote(spec.url), '-H', shellQuote('content-type: application/json')]
  for (const [name, value] of spec.headers) parts.push('-H', shellQuote(`${name}: ${value}`))
  parts.push('--data-raw', shellQuote(requestBody(spec)))
  return parts.join(' ')
}

/**
 * How the CLI reads an argument back: JSON when it parses as JSON, else the
 * string itself. A string the CLI would misread (`42`, `true`, `"x"`) is sent
 * as its JSON text.
 */
function cliArgument (value: unknown): string {
  if (typeof value === 'string') {
    let parses = true
    try {
      JSON.parse(value)
    } catch {
      parses = false
    }
    if (!parses) return value
  }
  return JSON.stringify(value) ?? 'null'
}

export function cliCommand (spec: CallSpec): string {
  const headers: string[] = []
  for (const [name, value] of spec.headers) headers.push('-H', shellQuote(`${name}: ${value}`))
  const options = [...headers]
  if (spec.notification) options.push('--notify')
  else if (spec.id !== 1) options.push('--id', String(spec.id))
  const { params } = spec
  const named = params !== undefined && !Array.isArray(params)
  const args = named ? Object.entries(params).map(([key, value]) => `${key}=${cliArgument(value)}`) : (params ?? []).map(cliArgument)
  if (named && Object.keys(params).some(key => key === '' || key.includes('='))) {
    // A key the CLI's key=value form cannot hold: send the request as a one-call batch instead.
    return [`echo ${shellQuote(`[${requestBody(spec)}]`)} |`, 'npx fastify-jsonrpc call', shellQuote(spec.url), '--batch -', ...headers].join(' ')
  }
  const words = ['npx fastify-jsonrpc call', shellQuote(spec.url), shellQuote(spec.method)]
  if (named) words.push('--named')
  words.push(...options)
  // After `--`, arguments that start with a dash are arguments, not options.
  if (args.some(arg => arg.startsWith('-'))) words.push('--')
  words.push(...args.map(shellQuote))
  return words.join(' ')
}

export function clientCode (spec: CallSpec): string {
  const options = spec.headers.length === 0
    ? ''
    : `, {\n  headers: ${JSON.stringify(Object.fromEntries(spec.headers), null, 2).replace(/\n/g, '\n  ')}\n}`
  const params = spec.params === undefined ? '' : `, ${JSON.stringify(spec.params)}`
  const call = spec.notification
    ? `await client.notifyWith(${JSON.stringify(spec.method)}${params})`
    : `const result = await client.call(${JSON.stringify(spec.method)}${params})\nconsole.log(result)`
  return `import { RpcClient } from 'fastify-jsonrpc/client'\n\nconst client = new RpcClient(${JSON.stringify(spec.url)}${options})\n${call}\n`
}
