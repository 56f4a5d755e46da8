import { context, trace, type Context } from '@opentelemetry/api'

/** What @fastify/otel decorates every request with: `request.opentelemetry().context` is its request span's context. */
interface InstrumentedRequest {
  opentelemetry?: () => { context?: Context | null } | undefined
}

/** Each request's parent context, found once per request (a batch's calls share it). */
const parents = new WeakMap<object, Context>()

/**
 * The context a call's span is a child of. Over HTTP with @fastify/otel, its
 * request span (read from the request, where @fastify/otel keeps it, so this
 * holds even without an async context manager); otherwise the active context.
 * A WebSocket call's parent is the active context, not the upgrade request's
 * span, which ended long before most of the connection's calls.
 */
export function parentContext (request: unknown, transport: string): Context {
  if (transport !== 'http' || typeof request !== 'object' || request === null) return context.active()
  let parent = parents.get(request)
  if (parent === undefined) {
    parent = requestSpanContext(request as InstrumentedRequest) ?? context.active()
    parents.set(request, parent)
  }
  return parent
}

function requestSpanContext (request: InstrumentedRequest): Context | undefined {
  if (typeof request.opentelemetry !== 'function') return undefined
  const found = request.opentelemetry()?.context
  return found !== null && found !== undefined && trace.getSpan(found) !== undefined ? found : undefined
}
