/**
 * Reads a function's declared parameters from its source text, since neither
 * JavaScript nor `design:paramtypes` keeps parameter names. Runs once per method,
 * at registration.
 */

export interface DeclaredParameter {
  /** The identifier, or undefined for a destructured parameter. */
  readonly name: string | undefined
  readonly hasDefault: boolean
  readonly isRest: boolean
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }

/**
 * Splits the text between a function's parameter parentheses into top-level
 * pieces, skipping strings, template literals and comments.
 */
function splitTopLevel (source: string, start: number): { pieces: string[], end: number } {
  const pieces: string[] = []
  const closers: string[] = []
  let pieceStart = start
  let i = start
  while (i < source.length) {
    const ch = source[i]
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipString(source, i)
      continue
    }
    if (ch === '/' && source[i + 1] === '/') {
      const eol = source.indexOf('\n', i)
      i = eol === -1 ? source.length : eol
      continue
    }
    if (ch === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2)
      i = close === -1 ? source.length : close + 2
      continue
    }
    if (ch in OPENERS) {
      closers.push(OPENERS[ch])
    } else if (ch === ')' || ch === ']' || ch === '}') {
      if (closers.length === 0) {
        pieces.push(source.slice(pieceStart, i))
        return { pieces, end: i }
      }
      closers.pop()
    } else if (ch === ',' && closers.length === 0) {
      pieces.push(source.slice(pieceStart, i))
      pieceStart = i + 1
    }
    i++
  }
  return { pieces, end: i }
}

function skipString (source: string, start: number): number {
  const quote = source[start]
  let i = start + 1
  while (i < source.length) {
    const ch = source[i]
    if (ch === '\\') {
      i += 2
      continue
    }
    if (ch === quote) return i + 1
    if (quote === '`' && ch === '$' && source[i + 1] === '{') {
      i = splitTopLevel(source, i + 2).end + 1
      continue
    }
    i++
  }
  return i
}

function stripComments (text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '').trim()
}

function describe (piece: string): DeclaredParameter {
  let text = stripComments(piece)
  const isRest = text.startsWith('...')
  if (isRest) text = text.slice(3).trim()
  const match = /^([A-Za-z_$][\w$]*)\s*(=)?/.exec(text)
  if (match === null) {
    // A destructuring pattern: `{ a, b } = {}` or `[x, y]`.
    return { name: undefined, hasDefault: /[}\]]\s*=/.test(text), isRest }
  }
  return { name: match[1], hasDefault: match[2] !== undefined, isRest }
}

/** Finds the opening parenthesis of the parameter list, past a computed method key. */
function parameterListStart (source: string): number {
  let i = 0
  while (i < source.length) {
    const ch = source[i]
    if (ch === '(') return i + 1
    if (ch === '[') {
      i = splitTopLevel(source, i + 1).end + 1
      continue
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipString(source, i)
      continue
    }
    i++
  }
  return -1
}

export function readParameterList (fn: Function): DeclaredParameter[] {
  const source = Function.prototype.toString.call(fn)
  const start = parameterListStart(source)
  if (start === -1) return []
  const { pieces } = splitTopLevel(source, start)
  return pieces
    .filter(piece => stripComments(piece) !== '')
    .map(describe)
}
