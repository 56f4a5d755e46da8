import { gunzip } from 'node:zlib'
import { errorCodes } from 'fastify'

/**
 * How an HTTP request body is encoded, checked before it is read as JSON:
 * the `charset` of its `Content-Type`, its `Content-Encoding`, a leading byte
 * order mark. JSON exchanged between systems is UTF-8 (RFC 8259), so the
 * endpoint reads UTF-8 and refuses what it would otherwise misread.
 */

export const UNSUPPORTED_CHARSET = 'FST_JSONRPC_UNSUPPORTED_CHARSET'
export const UNSUPPORTED_ENCODING = 'FST_JSONRPC_UNSUPPORTED_CONTENT_ENCODING'
export const BAD_ENCODING = 'FST_JSONRPC_BAD_CONTENT_ENCODING'
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

/** The body as UTF-8 text; RFC 8259 lets a parser ignore a byte order mark (EF BB BF), and one is removed, as a decoder would. */
export function utf8Text (chunks: readonly Buffer[], length: number): string {
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)
  const hasByteOrderMark = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  return hasByteOrderMark ? bytes.toString('utf8', 3) : bytes.toString()
}

export type ContentCoding = 'identity' | 'gzip'

/**
 * The request's `Content-Encoding`, decided before the body is read: none or
 * `identity` as is, `gzip` (and its alias `x-gzip`), anything else (another
 * coding, or several) refused with 415.
 */
export function contentCoding (encoding: string | undefined): ContentCoding | Error {
  if (encoding === undefined) return 'identity'
  const coding = encoding.trim().toLowerCase()
  if (coding === '' || coding === 'identity') return 'identity'
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip'
  return httpError(`unsupported Content-Encoding "${encoding}"; send the body as is, or gzip`, UNSUPPORTED_ENCODING, 415)
}

/**
 * The body inflated from gzip, at most `limit` bytes of it: zlib stops
 * inflating at the limit (a small "zip bomb" costs the server no more than a
 * plain body of `limit` bytes) and the request gets 413. A body that is not
 * valid gzip gets 400. Inflating runs on libuv's thread pool, off the event
 * loop. Over the limit it is Fastify's own error, as for a plain body, so one
 * 413 answer covers both.
 */
export function inflateGzip (chunks: readonly Buffer[], length: number, limit: number, done: (error: Error | null, text?: string) => void): void {
  // A copy: the chunks may be views over the socket's buffers, read by zlib later on another thread.
  gunzip(Buffer.concat(chunks, length), { maxOutputLength: limit }, (error, inflated) => {
    if (error === null) done(null, utf8Text([inflated], inflated.length))
    else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE())
    else done(httpError(`the body is not valid gzip: ${error.message}`, BAD_ENCODING, 400))
  })
}
