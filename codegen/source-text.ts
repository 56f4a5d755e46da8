/**
 * Layout of TypeScript text. json-schema-to-typescript, with formatting off,
 * writes one member or one line of a comment per line and no indentation;
 * this module finds the structure of such text (by its braces) and indents
 * it, or folds a type onto one line for a table.
 */

/** What would break out of a generated comment or hide what a reviewer reads (bidi controls, invisible breaks). */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g

function unicodeEscape (character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * Writes each control, bidi or invisible character as `\uXXXX`. In a string
 * literal that is the same character; in a comment it is plain text; so the
 * types do not change, and the file shows what it holds (no Trojan Source).
 * Identifiers never hold such characters: the library makes names from
 * ASCII letters and digits.
 */
export function escapeInvisible (text: string): string {
  return text.replace(INVISIBLE, unicodeEscape)
}

/** Text for a `/** ... *\/` comment: it cannot end the comment early, and has no control characters. */
export function commentText (text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\*\//g, '*\\/').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
}

/** A JSDoc block from paragraphs and tags; empty lines between paragraphs are kept. */
export function jsDoc (lines: readonly string[]): string[] {
  if (lines.length === 0) return []
  return ['/**', ...lines.flatMap(line => commentText(line).split('\n')).map(line => line === '' ? ' *' : ` * ${line}`), ' */']
}

export function isCommentLine (line: string): boolean {
  const trimmed = line.trimStart()
  return trimmed.startsWith('/*') || trimmed.startsWith('*')
}

/**
 * The braces a line opens and closes outside string literals; comment lines
 * count none. `leading` is how many closing braces start the line, which
 * belong to the level above.
 */
export function braces (line: string): { net: number, leading: number } {
  if (isCommentLine(line)) return { net: 0, leading: 0 }
  let net = 0
  let leading = 0
  let atStart = true
  let quote: string | undefined
  for (let index = 0; index < line.length; index++) {
    const character = line[index] as string
    if (quote !== undefined) {
      if (character === '\\') index++
      else if (character === quote) quote = undefined
      continue
    }
    if (character === '"' || character === '\'' || character === '`') {
      quote = character
      atStart = false
    } else if (character === '{') {
      net++
      atStart = false
    } else if (character === '}') {
      net--
      if (atStart) leading++
    } else if (character !== ' ' && character !== ')' && character !== ']') {
      atStart = false
    }
  }
  return { net, leading }
}

/** Indents unindented lines by brace depth, two spaces a level, starting at `depth`. */
export function indentLines (lines: readonly string[], depth = 0): string[] {
  const out: string[] = []
  let level = depth
  for (const line of lines) {
    const { net, leading } = braces(line)
    const trimmed = line.trim()
    const indent = '  '.repeat(Math.max(0, level - leading))
    if (trimmed === '') out.push('')
    else if (isCommentLine(line) && trimmed.startsWith('*')) out.push(`${indent} ${trimmed}`)
    else out.push(indent + trimmed)
    level += net
  }
  return out
}

/** A type written over several lines, folded onto one (comments dropped): `{ a: number; b?: string }`. */
export function oneLine (text: string): string {
  let folded = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || isCommentLine(line)) continue
    if (folded === '') folded = line
    else if (folded.endsWith('{') || line.startsWith('}')) folded += ` ${line}`
    else folded += `; ${line}`
  }
  return folded
}
