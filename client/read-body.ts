/**
 * Reads a response body as UTF-8 text, chunk by chunk, never holding more
 * than `limit` bytes: a server that answers with more (or never stops) costs
 * the client at most the limit, not all its memory.
 */

/** A WHATWG stream reader, as the global `fetch` (browsers, undici) gives it. */
interface ChunkReader {
  read: () => Promise<{ done: boolean, value?: unknown }>
  cancel: (reason?: unknown) => Promise<void>
}

/** A fetch body: a WHATWG `ReadableStream`, or a Node stream (node-fetch) read as an async iterable. */
export type RpcFetchBody =
  | { getReader: () => ChunkReader }
  | AsyncIterable<unknown>

/** Thrown by `readBodyText` when the body is larger than the limit; the caller turns it into an `RpcTransportError`. */
export class BodyTooLargeError extends Error {
  constructor (readonly limit: number) {
    super(`the answer is larger than ${limit} bytes`)
    this.name = 'BodyTooLargeError'
  }
}

/** A chunk as bytes: fetch gives `Uint8Array`s (so do Node streams, whose buffers are ones); node-fetch may give strings. */
function toBytes (chunk: unknown, encoder: InstanceType<typeof TextEncoder>): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (typeof chunk === 'string') return encoder.encode(chunk)
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk)
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  throw new TypeError('the response body gave a chunk that is not bytes')
}

function hasReader (body: RpcFetchBody): body is { getReader: () => ChunkReader } {
  return typeof (body as { getReader?: unknown }).getReader === 'function'
}

/** One chunk at a time from either kind of body, and a way to stop it. */
function chunksOf (body: RpcFetchBody): { next: () => Promise<IteratorResult<unknown>>, stop: () => Promise<void> } {
  if (hasReader(body)) {
    const reader = body.getReader()
    return {
      next: async () => {
        const { done, value } = await reader.read()
        return done ? { done: true, value: undefined } : { done: false, value }
      },
      stop: async () => { await reader.cancel() }
    }
  }
  const iterator = body[Symbol.asyncIterator]()
  return {
    next: async () => await iterator.next(),
    // Returning early from a Node stream's iterator destroys the stream.
    stop: async () => { await iterator.return?.() }
  }
}

/**
 * The whole body as text, or a `BodyTooLargeError` as soon as more than
 * `limit` bytes arrived; the body is then cancelled, so the server's
 * connection is closed rather than drained.
 */
export async function readBodyText (body: RpcFetchBody, limit: number): Promise<string> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  const chunks = chunksOf(body)
  const parts: string[] = []
  let received = 0
  for (;;) {
    const { done, value } = await chunks.next()
    if (done === true) break
    const bytes = toBytes(value, encoder)
    received += bytes.byteLength
    if (received > limit) {
      // Not awaited: a cancellation that never settles must not hold the call.
      // The stream may already be failing (an abort racing the limit): the limit is what we report.
      chunks.stop().catch(() => {})
      throw new BodyTooLargeError(limit)
    }
    parts.push(decoder.decode(bytes, { stream: true }))
  }
  parts.push(decoder.decode())
  return parts.join('')
}

/** The bytes `text` takes in UTF-8 (a lone surrogate counts as the 3 bytes of U+FFFD), without encoding it. */
export function utf8ByteLength (text: string): number {
  let bytes = 0
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      index++
    } else bytes += 3
  }
  return bytes
}

/**
 * Whether a text already received is over `limit` bytes. A UTF-16 unit takes
 * 1 to 3 bytes, so most texts are decided by their length alone.
 */
export function textExceeds (text: string, limit: number): boolean {
  if (text.length > limit) return true
  if (text.length * 3 <= limit) return false
  return utf8ByteLength(text) > limit
}
