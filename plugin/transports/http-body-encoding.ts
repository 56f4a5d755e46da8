import type { Readable } from 'node:stream'
import { PassThrough } from 'node:stream'
import { createGunzip } from 'node:zlib'

/**
 * How an HTTP request body is encoded, checked before it is read as JSON:
 * the `charset` of its `Content-Type`, its `Content-Encoding`, a leading byte
 * order mark. JSON exchanged between systems is UTF-8 (RFC 8259), so the
 * endpoint reads UTF-8 and refuses what it would otherwise misread.
 */

export const UNSUPPORTED_CHARSET = 'FST_JSONRPC_UNSUPPORTED_CHARSET'
export const UNSUPPORTED_ENCODING = 'FST_JSONRPC_UNSUPPORTED_CONTENT_ENCODING'
export const BAD_ENCODING = 'FST_JSONRPC_BAD_CONTENT_ENCODING'
/** Fastify's own code for a body over the limit, so that the one 413 answer covers both. */
const BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE'

/** The content codings the endpoint decodes, for the `Accept-Encoding` of a 415 (RFC 9110, 15.5.16). */
export const ACCEPTED_CONTENT_ENCODINGS = 'gzip'

function httpError (message: string, code: string, statusCode: number): Error {
  return Object.assign(new Error(message), { code, statusCode })
}

/**
 * One media-type parameter (RFC 9110, 5.6.6): `; name=token` or
 * `; name="quoted string"`. The quoted form is tried first, so a `;` inside
 * quotes never starts a parameter of its own.
 */
const PARAMETER = /;\s*([^\s;=]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;]*))?/g

function unquote (value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value.trim()
}

/**
 * Why the `Content-Type`'s charset cannot be read, or undefined when the body
 * is UTF-8 (declared so, or not declared). A charset given twice is refused
 * even when both say UTF-8: intermediaries may read either one, so the
 * header is ambiguous.
 */
export function charsetProblem (contentType: string | undefined): string | undefined {
  // The usual header (`application/json`) has no parameter at all.
  if (contentType === undefined || !contentType.includes(';')) return undefined
  const charsets: string[] = []
  for (const [, name, value] of contentType.matchAll(PARAMETER)) {
    if (name.toLowerCase() === 'charset') charsets.push(unquote(value ?? '').toLowerCase())
  }
  if (charsets.length === 0) return undefined
  if (charsets.length > 1) return `the charset parameter is given ${charsets.length} times (${charsets.map(charset => `"${charset}"`).join(', ')}); give it once: JSON-RPC bodies are UTF-8`
  const [charset] = charsets
  return charset === 'utf-8' || charset === 'utf8' ? undefined : `unsupported charset "${charset}"; JSON-RPC bodies are UTF-8`
}

export function charsetError (problem: string): Error {
  return httpError(problem, UNSUPPORTED_CHARSET, 415)
}

/** RFC 8259 lets a parser ignore a byte order mark; one is removed, as a decoder would. */
export function withoutByteOrderMark (text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** What Fastify reads from a stream a `preParsing` hook returns: the bytes received before decoding. */
type DecodedBody = PassThrough & { receivedEncodedLength: number }

/**
 * The body inflated from gzip, at most `limit` bytes of it: past the limit
 * the inflating stops at once (a small "zip bomb" costs the server no more
 * than a plain body of `limit` bytes) and the request gets 413. A body that
 * is not valid gzip gets 400.
 */
function inflateGzip (raw: Readable, limit: number): DecodedBody {
  const gunzip = createGunzip()
  const output = new PassThrough() as DecodedBody
  output.receivedEncodedLength = 0
  let inflated = 0
  let failed = false
  const fail = (error: Error): void => {
    if (failed) return
    failed = true
    raw.unpipe(gunzip)
    // The rest of the upload is read and dropped, as Fastify does for a plain body over its limit.
    raw.resume()
    gunzip.destroy()
    output.destroy(error)
  }
  // Fastify stops listening once it has answered; a late error must not go unhandled.
  output.on('error', () => {})
  gunzip.on('error', error => { fail(httpError(`the body is not valid gzip: ${error.message}`, BAD_ENCODING, 400)) })
  raw.on('error', error => { fail(error) })
  // Counted for Fastify's Content-Length check, which is about the bytes sent, not the inflated ones.
  raw.on('data', (chunk: Buffer) => { output.receivedEncodedLength += chunk.length })
  gunzip.on('data', (chunk: Buffer) => {
    inflated += chunk.length
    if (inflated > limit) fail(httpError('Request body is too large', BODY_TOO_LARGE, 413))
  })
  raw.pipe(gunzip).pipe(output)
  return output
}

/**
 * The `Content-Encoding` step of a request: `gzip` (and its alias `x-gzip`)
 * is inflated within `limit`, `identity` or none passes as is, anything else
 * (another coding, or several) is refused with 415.
 */
export function decodeContentEncoding (encoding: string | undefined, payload: Readable, limit: number): Readable | Error {
  if (encoding === undefined) return payload
  const coding = encoding.trim().toLowerCase()
  if (coding === '' || coding === 'identity') return payload
  if (coding === 'gzip' || coding === 'x-gzip') return inflateGzip(payload, limit)
  return httpError(`unsupported Content-Encoding "${encoding}"; send the body as is, or gzip`, UNSUPPORTED_ENCODING, 415)
}
