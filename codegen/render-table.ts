import { memberName, paramsText } from './render-module'
import { oneLine } from './source-text'
import type { TypedDocument, TypedMethod } from './typed-document'

/** Control, bidi and invisible characters: a server's names and summaries must not drive the terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g

export function printable (text: string): string {
  return text.replace(UNPRINTABLE, character => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A signature column wider than this pushes its summary onto the next line instead of widening the table. */
const MAX_SIGNATURE_WIDTH = 72

function signature (typed: TypedMethod): string {
  const result = typed.result === undefined ? 'void' : typed.result.type
  return oneLine(`${memberName(typed.method.name)}${paramsText(typed)}: ${result}`)
}

function remarks ({ method, result }: TypedMethod): string {
  const words: string[] = []
  if (method.deprecated) words.push('(deprecated)')
  if (result === undefined) words.push('(notification)')
  if (method.byNameOnly) words.push('(params by name only)')
  const summary = method.summary ?? method.description?.split('\n')[0]
  if (summary !== undefined) words.push(summary)
  return words.join(' ')
}

/**
 * `list`'s table: one row per method, its TypeScript signature (the types
 * `types` would write, folded onto one line) and its summary.
 */
export function renderTable (typed: TypedDocument): string[] {
  const { info, openrpc } = typed.document
  const rows = typed.methods.map(method => ({ signature: printable(signature(method)), summary: printable(remarks(method)) }))
  const width = Math.min(MAX_SIGNATURE_WIDTH, Math.max('SIGNATURE'.length, ...rows.filter(row => row.signature.length <= MAX_SIGNATURE_WIDTH).map(row => row.signature.length)))
  const line = (left: string, right: string): string[] => {
    if (right === '') return [left]
    if (left.length > width) return [left, `${' '.repeat(width)}  ${right}`]
    return [`${left.padEnd(width)}  ${right}`]
  }
  const count = typed.methods.length
  const types = [...typed.declaredNames]
  return [
    printable(`${info.title} ${info.version} (OpenRPC ${openrpc}): ${count} method${count === 1 ? '' : 's'}`),
    '',
    ...line('SIGNATURE', 'SUMMARY'),
    ...rows.flatMap(row => line(row.signature, row.summary)),
    ...(types.length === 0 ? [] : ['', printable(`Named types (see \`fastify-jsonrpc types\`): ${types.join(', ')}`)])
  ]
}
