import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { WebSocket } from 'ws'
import { INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, UNAUTHORIZED } from '../../protocol/error-codes'
import type { DispatchResult, Dispatcher } from '../dispatch/dispatcher'
import { ACCEPTED_CONTENT_ENCODINGS, BAD_ENCODING, charsetError, charsetProblem, contentCoding, inflateGzip, UNSUPPORTED_CHARSET, UNSUPPORTED_ENCODING, utf8Text } from './http-body-encoding'
import { readBody } from './http-body-reading'
import type { HttpStatusMode } from '../options'
import { errorJson } from '../contracts/response-encoding'
import type { TransportObserver } from '../contracts/call-observer'
import { HttpDispatchContext } from './transport-context'

export interface HttpTransportOptions {
  dispatcher: Dispatcher
  path: string
  httpStatus: HttpStatusMode
  /** Largest body in bytes (the option, else the Fastify instance's bodyLimit), inflated size included. */
  bodyLimit: number
  /** When set, a GET upgrade on the path is handed to it (needs @fastify/websocket in the scope). */
  websocketHandler?: (socket: WebSocket, request: FastifyRequest) => void
  /** Told of the requests refused before the engine sees them (413); the plugin's telemetry. */
  observer?: TransportObserver
}

/** The media types JSON-RPC clients send; a charset parameter, when given, is UTF-8. */
export const RPC_CONTENT_TYPES = ['application/json', 'application/json-rpc', 'application/jsonrequest']

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'
const OTHER_METHODS = ['PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/** Seconds a client refused with "Server busy" is told to wait: calls in flight usually settle well within it. */
export const BUSY_RETRY_AFTER_SECONDS = 1

function statusFor (result: DispatchResult, mode: HttpStatusMode): number {
  if (result.body === undefined) return 204
  if (result.busy === true && mode === 'json-rpc-over-http') return 503
  if (result.retryAfterMs !== undefined && mode === 'json-rpc-over-http') return 429
  if (result.errorCode === 0 || mode === 'always-200') return 200
  switch (result.errorCode) {
    case PARSE_ERROR:
    case INVALID_REQUEST:
    case INVALID_PARAMS:
      return 400
    case METHOD_NOT_FOUND:
      return 404
    case UNAUTHORIZED:
      return 403
    default:
      return 500
  }
}

function invalidRequestBody (data: string): string {
  return errorJson({ code: INVALID_REQUEST, message: 'Invalid Request', data }, null)
}

/**
 * The HTTP adapter: parses nothing itself, hands the body text to the
 * dispatcher and maps its answer to a status. `scope` is the plugin's own
 * child scope, so its content-type parsers and error handler stay out of the
 * user's app.
 */
export function httpTransport (scope: FastifyInstance, options: HttpTransportOptions): void {
  // The same limit for the bytes Fastify reads and for the inflated size of a gzip body.
  const { dispatcher, path, httpStatus, bodyLimit } = options

  scope.removeAllContentTypeParsers()
  // The body is read here rather than by `parseAs`, so that the usual one-chunk body is decoded
  // without a copy and a gzip body needs no route hook (each measurable on a single call).
  scope.addContentTypeParser(RPC_CONTENT_TYPES, function parseRpcBody (request, payload, done) {
    const problem = charsetProblem(request.headers['content-type'])
    if (problem !== undefined) {
      done(charsetError(problem), undefined)
      return
    }
    // Refused before a byte is read; Fastify closes the connection after a parser's error.
    const coding = contentCoding(request.headers['content-encoding'])
    if (coding instanceof Error) {
      done(coding, undefined)
      return
    }
    readBody(payload, request.headers['content-length'], bodyLimit, (error, chunks = [], length = 0) => {
      if (error !== null) done(error, undefined)
      else if (coding === 'gzip') inflateGzip(chunks, length, bodyLimit, done)
      else done(null, utf8Text(chunks, length))
    })
  })

  scope.setErrorHandler(function rpcHttpErrors (error: FastifyError, _request, reply) {
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).type(JSON_CONTENT_TYPE)
          .send(invalidRequestBody(`unsupported content type; send one of ${RPC_CONTENT_TYPES.join(', ')}`))
      case UNSUPPORTED_CHARSET:
        return reply.code(415).type(JSON_CONTENT_TYPE).send(invalidRequestBody(error.message))
      case UNSUPPORTED_ENCODING:
        return reply.code(415).header('accept-encoding', ACCEPTED_CONTENT_ENCODINGS).type(JSON_CONTENT_TYPE).send(invalidRequestBody(error.message))
      case BAD_ENCODING:
        return reply.code(400).type(JSON_CONTENT_TYPE).send(invalidRequestBody(error.message))
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        options.observer?.refused('body_size')
        return reply.code(413).type(JSON_CONTENT_TYPE)
          .send(invalidRequestBody('the request body is larger than this endpoint accepts'))
    }
    if (typeof error.code === 'string' && error.code.startsWith('FST_ERR_CTP_') && error.statusCode !== undefined && error.statusCode < 500) {
      return reply.code(error.statusCode).type(JSON_CONTENT_TYPE).send(invalidRequestBody(error.message))
    }
    // Not ours (a user's hook, say): the app's own error handler decides.
    throw error
  })

  scope.post(path, async function handleRpc (request: FastifyRequest, reply: FastifyReply) {
    const context = new HttpDispatchContext(request, reply.raw)
    const body = typeof request.body === 'string' ? request.body : ''
    const result = await dispatcher.dispatchText(body, context)
    const status = statusFor(result, httpStatus)
    if (result.busy === true) reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS))
    // Whole seconds, rounded up, so that a client retrying then is admitted.
    else if (result.retryAfterMs !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))))
    // The reply is returned, not awaited: awaiting it would wait for the socket write to finish.
    if (result.body === undefined) return reply.code(status).send()
    return reply.code(status).type(JSON_CONTENT_TYPE).send(result.body)
  })

  const methodNotAllowed = invalidRequestBody('JSON-RPC calls are sent with POST')
  async function rejectMethod (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return reply.code(405).header('allow', 'POST').type(JSON_CONTENT_TYPE).send(methodNotAllowed)
  }
  scope.route({ method: [...OTHER_METHODS], url: path, handler: rejectMethod })
  // A plain GET is refused like any other method; with WebSocket on, a GET upgrade is served.
  // (`wsHandler` is @fastify/websocket's route option, typed only where that package is.)
  const getRoute: RouteOptions = { method: 'GET', url: path, handler: rejectMethod }
  scope.route(options.websocketHandler === undefined ? getRoute : { ...getRoute, wsHandler: options.websocketHandler } as RouteOptions)
}
