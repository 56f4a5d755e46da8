import { escapeForTerminal } from './terminal-text'

/** One line of the exchange, as the seed's client printed it. */
export type RpcLogEvent =
  | {
    direction: 'request'
    /** The exact JSON text sent. */
    body: string
    /** `--> {body}` */
    line: string
  }
  | {
    direction: 'response'
    /** The exact text received; empty when the server sent no body (204). */
    body: string
    status: number
    statusText: string
    /** `<-- {body} (STATUS REASON)` */
    line: string
  }
  | {
    /** A message received on a WebSocket: a response, or a notification the server pushed. */
    direction: 'message'
    body: string
    /** `<-- {body}` */
    line: string
  }

/** Receives every request sent and every response received. */
export type RpcLogHook = (event: RpcLogEvent) => void

/**
 * Reason phrases for when the transport gives none (HTTP/2 has no reason
 * phrase, and some fetch implementations leave `statusText` empty).
 */
const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

export function reasonPhrase (status: number, statusText: string): string {
  return statusText !== '' ? statusText : REASON_PHRASES[status] ?? ''
}

export function requestLogEvent (body: string): RpcLogEvent {
  return { direction: 'request', body, line: `--> ${body}` }
}

export function responseLogEvent (body: string, status: number, statusText: string): RpcLogEvent {
  const reason = reasonPhrase(status, statusText)
  const statusPart = reason === '' ? String(status) : `${status} ${reason}`
  const line = body === '' ? `<-- (${statusPart})` : `<-- ${body} (${statusPart})`
  return { direction: 'response', body, status, statusText: reason, line }
}

export function socketMessageLogEvent (body: string): RpcLogEvent {
  return { direction: 'message', body, line: `<-- ${body}` }
}

/**
 * The hook behind `log: true`: the seed's lines on the console, escaped so
 * that the server's text cannot drive the terminal (a hook of your own gets
 * the exact text in `event.line`).
 */
export const consoleLogHook: RpcLogHook = event => { console.log(escapeForTerminal(event.line)) }

export function resolveLogHook (log: boolean | RpcLogHook | undefined): RpcLogHook | undefined {
  if (log === true) return consoleLogHook
  return typeof log === 'function' ? log : undefined
}
