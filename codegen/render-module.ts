import { CodegenError } from './codegen-error'
import { escapeInvisible, indentLines, jsDoc } from './source-text'
import type { TypedDocument, TypedMethod, TypedParam } from './typed-document'

/** Names `client.proxy()` never turns into calls (client/proxy.ts): a method so named is typed, but must be called with `client.call`. */
const PROXY_RESERVED = new Set(['then', 'catch', 'finally', 'toJSON', 'constructor'])

/** Errors every call may get (parse error, invalid request, not found, invalid params, internal): not worth a line per method. */
const STANDARD_ERRORS = new Set([-32700, -32600, -32601, -32602, -32603])

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** A method name as an interface member: bare when it is an identifier, else a string literal. */
export function memberName (name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name)
}

export function paramText (param: TypedParam): string {
  if (param.rest) return `...${param.identifier}: ${param.type}`
  if (param.presence === 'optional') return `${param.identifier}?: ${param.type}`
  if (param.presence === 'undefinable') return `${param.identifier}: ${param.type} | undefined`
  return `${param.identifier}: ${param.type}`
}

/** `(a: string, b?: number)`; by-name methods take one object of their params. */
export function paramsText ({ method, params }: TypedMethod): string {
  if (!method.byNameOnly) return `(${params.map(paramText).join(', ')})`
  if (params.length === 0) return '(params?: {})'
  const members = params.map(param => `${JSON.stringify(param.name)}${param.presence === 'required' ? '' : '?'}: ${param.type}`)
  const optional = params.every(param => param.presence !== 'required') ? '?' : ''
  return `(params${optional}: {\n${members.join('\n')}\n})`
}

function methodDoc ({ method, params, result }: TypedMethod): string[] {
  const lines: string[] = []
  if (method.summary !== undefined) lines.push(method.summary)
  if (method.description !== undefined && method.description !== method.summary) {
    if (lines.length > 0) lines.push('')
    lines.push(method.description)
  }
  const tags: string[] = []
  for (const param of params) {
    const words = [
      param.deprecated ? '(deprecated)' : undefined,
      param.untyped === undefined ? undefined : `(not typed: ${param.untyped})`,
      param.identifier === param.name ? undefined : `(sent as ${JSON.stringify(param.name)})`,
      param.description
    ].filter(word => word !== undefined)
    if (words.length > 0) tags.push(`@param ${param.identifier} ${words.join(' ')}`)
  }
  if (result?.untyped !== undefined) tags.push(`@returns (not typed: ${result.untyped})${result.description === undefined ? '' : ` ${result.description}`}`)
  else if (result?.description !== undefined) tags.push(`@returns ${result.description}`)
  for (const error of method.errors.filter(error => !STANDARD_ERRORS.has(error.code))) tags.push(`@throws {RpcError} ${error.code} ${error.message}`)
  if (PROXY_RESERVED.has(method.name)) tags.push(`@remarks client.proxy() does not call a method named "${method.name}": use client.call`)
  if (method.deprecated) tags.push('@deprecated')
  if (tags.length > 0 && lines.length > 0) lines.push('')
  return jsDoc([...lines, ...tags])
}

function member (typed: TypedMethod, resultType: string): string[] {
  return [...methodDoc(typed), `${memberName(typed.method.name)}${paramsText(typed)}: ${resultType}`]
}

export interface RenderOptions {
  /** The interface's name; the notifications' is the same with `Notifications` after it. */
  name: string
  /** How the file says it was made: the command line to run again. */
  command: string
}

export function checkInterfaceName (name: string): void {
  if (!IDENTIFIER.test(name)) throw new CodegenError('bad-option', `--name must be a TypeScript identifier; got ${JSON.stringify(name)}`)
}

/**
 * The generated module: a header, the named types, then `NAME` with the
 * methods that answer (for `client.proxy<NAME>()`), and `NAMENotifications`
 * with those that do not (for `client.notifier<NAMENotifications>()`) when
 * there are any. Methods a proxy cannot call (by-name only) are left out and
 * listed in the interface's comment.
 */
export function renderModule (typed: TypedDocument, options: RenderOptions): string {
  checkInterfaceName(options.name)
  const notificationsName = `${options.name}Notifications`
  for (const name of [options.name, notificationsName]) {
    if (typed.declaredNames.has(name)) {
      throw new CodegenError('bad-option', `the document's schemas already declare a type named ${name}: choose another --name`)
    }
  }
  const { info, openrpc } = typed.document
  const calls = typed.methods.filter(method => method.result !== undefined && !method.method.byNameOnly)
  const notifications = typed.methods.filter(method => method.result === undefined && !method.method.byNameOnly)
  const byName = typed.methods.filter(method => method.method.byNameOnly)

  const lines: string[] = [
    ...jsDoc([
      `Types of the JSON-RPC methods of ${info.title} ${info.version}, generated by`,
      `\`${options.command}\` from its OpenRPC ${openrpc} document.`,
      'Do not edit: run the command again when the server changes.'
    ]),
    ''
  ]
  for (const block of typed.declarations) lines.push(...block, '')

  const leftOut = byName.map(({ method }) =>
    `- ${method.name}: takes its params by name only, which a proxy (sending them by position) cannot; call it with client.call(${JSON.stringify(method.name)}, { ... })`)
  lines.push(...jsDoc([
    `The methods of ${info.title}: \`client.proxy<${options.name}>()\` calls them (over HTTP or WebSocket).`,
    ...(info.description === undefined ? [] : ['', info.description]),
    ...(leftOut.length === 0 ? [] : ['', 'Left out:', ...leftOut])
  ]))
  lines.push(`export interface ${options.name} {`, ...calls.flatMap(method => member(method, method.result?.type ?? 'void')), '}')
  if (notifications.length > 0) {
    lines.push('', ...jsDoc([
      `The notifications ${info.title} takes: methods without a result, sent without an id and answered with nothing.`,
      `\`client.notifier<${notificationsName}>()\` sends them.`
    ]))
    lines.push(`export interface ${notificationsName} {`, ...notifications.flatMap(method => member(method, 'void')), '}')
  }
  return escapeInvisible(indentLines(lines.flatMap(line => line.split('\n'))).join('\n')) + '\n'
}
