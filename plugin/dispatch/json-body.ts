import { scan } from 'secure-json-parse'

/** What to do with `__proto__` / `constructor.prototype` keys, as Fastify's own options name it. */
export type PoisoningAction = 'error' | 'remove' | 'ignore'

export interface JsonBodyOptions {
  onProtoPoisoning: PoisoningAction
  onConstructorPoisoning: PoisoningAction
}

export type ParsedBody =
  | { ok: true, value: unknown }
  | { ok: false, reason: 'syntax' | 'poisoned' }

/**
 * Parses a request body. `JSON.parse` never pollutes a prototype by itself
 * (it defines `__proto__` as an own key), but method code that merges params
 * could; so the same protection Fastify gives its JSON routes applies here.
 * The scan only runs when the text could hold such a key.
 */
export function buildJsonBodyParser (options: JsonBodyOptions): (text: string) => ParsedBody {
  const scanOptions = { protoAction: options.onProtoPoisoning, constructorAction: options.onConstructorPoisoning }
  const scanProto = options.onProtoPoisoning !== 'ignore'
  const scanConstructor = options.onConstructorPoisoning !== 'ignore'
  return function parseJsonBody (text) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return { ok: false, reason: 'syntax' }
    }
    // A key can be spelled with \u escapes, so escaped text is always scanned.
    const escaped = text.includes('\\u')
    if ((scanProto && (escaped || text.includes('__proto__'))) || (scanConstructor && (escaped || text.includes('constructor')))) {
      try {
        scan(value as Record<string, unknown>, scanOptions)
      } catch {
        return { ok: false, reason: 'poisoned' }
      }
    }
    return { ok: true, value }
  }
}
