import { commentText } from './source-text'
import type { CodegenNote } from './read-methods'
import type { SchemaValue } from './openrpc-types'

/** A schema as handed to json-schema-to-typescript: only keywords this module wrote. */
export type PreparedSchema = Record<string, unknown>

/** Deeper schemas are typed unknown: the walk (and the library's) must not exhaust the stack. */
export const MAX_SCHEMA_DEPTH = 64

/** Where `rpc.discover` results point: the OpenRPC meta-schema, a JSON object typed as one rather than left unknown. */
const OPENRPC_META_SCHEMA_REFS: ReadonlySet<string> = new Set([
  'https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json',
  'https://meta.open-rpc.org/'
])

const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'] as const
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const
const SCHEMA_OR_BOOLEAN = ['additionalProperties', 'additionalItems'] as const

/** The stand-in for a part TypeScript cannot be told about; `reason` becomes its comment. */
export function untyped (reason: string): PreparedSchema {
  return { tsType: 'unknown', description: `Not typed: ${commentText(reason)}` }
}

export function isUntyped (schema: PreparedSchema): boolean {
  return schema.tsType === 'unknown'
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function decodeSegment (segment: string): string | undefined {
  try {
    return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~')
  } catch {
    return undefined
  }
}

/** Follows a JSON pointer (`/properties/a`) into `root`; undefined when it leads nowhere. */
function atPointer (root: unknown, pointer: string): unknown {
  let node = root
  for (const raw of pointer.split('/').slice(1)) {
    const segment = decodeSegment(raw)
    if (segment === undefined || (!isObject(node) && !Array.isArray(node))) return undefined
    if (!Object.prototype.hasOwnProperty.call(node, segment)) return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return node
}

interface WalkContext {
  where: string
  /** The component being walked: a `#/...` reference inside a component with an $id is relative to it. */
  component: string | undefined
  depth: number
}

/**
 * Rewrites the schemas of an OpenRPC document into what the library is
 * given: a whitelist of the keywords that shape a TypeScript type (the
 * validation-only ones, such as `minimum`, `pattern` or `format`, only
 * narrow values, so dropping them widens the type and keeps it right), every
 * `$ref` pointing into one `definitions` table built from
 * `components.schemas`, descriptions made safe for comments, and each part
 * TypeScript cannot be told about replaced by `unknown` with a note.
 *
 * The library's own keywords (`tsType`, `tsEnumNames`...) are never taken from
 * the document: a server could otherwise write code into the generated file.
 * It also never sees a reference it would fetch: refs to anything outside
 * the document's components become `unknown`.
 */
export class SchemaPreparer {
  /** Component key -> the key it has in `definitions` (the same when it is plain). */
  readonly #definitionKeys = new Map<string, string>()
  /** A component's `$id`, without a trailing `#` -> its key. */
  readonly #keysById = new Map<string, string>()
  readonly #components: Record<string, SchemaValue>
  readonly #notes: CodegenNote[]
  /** Every rewritten reference, checked once every definition is built. */
  readonly #references: Array<{ node: PreparedSchema, where: string, original: string }> = []
  #definitions: Record<string, PreparedSchema> | undefined

  constructor (components: Record<string, SchemaValue> | undefined, notes: CodegenNote[]) {
    this.#components = components ?? {}
    this.#notes = notes
    for (const [index, key] of Object.keys(this.#components).entries()) {
      this.#definitionKeys.set(key, /^[A-Za-z][\w.-]*$/.test(key) ? key : `Component${index + 1}`)
      const schema = this.#components[key]
      if (isObject(schema) && typeof schema.$id === 'string') this.#keysById.set(schema.$id.replace(/#$/, ''), key)
    }
  }

  /** `components.schemas`, prepared, by definition key; a component's key names its type unless it has a title. */
  definitions (): Record<string, PreparedSchema> {
    if (this.#definitions !== undefined) return this.#definitions
    const definitions: Record<string, PreparedSchema> = {}
    for (const [key, schema] of Object.entries(this.#components)) {
      const definitionKey = this.#definitionKeys.get(key) as string
      const prepared = this.#walk(schema, { where: `components.schemas[${JSON.stringify(key)}]`, component: key, depth: 0 })
      // A key that is not a plain name is stored under a made-up one; the type is still named after it.
      if (definitionKey !== key && prepared.title === undefined && !isUntyped(prepared)) prepared.title = key
      definitions[definitionKey] = prepared
    }
    this.#definitions = definitions
    return definitions
  }

  /** A method's param or result schema, prepared. Call `checkReferences` once all are. */
  prepare (schema: SchemaValue, where: string): PreparedSchema {
    return this.#walk(schema, { where, component: undefined, depth: 0 })
  }

  /** Turns each reference whose target is missing from the prepared definitions into `unknown`, with a note. */
  checkReferences (): void {
    const root = { definitions: this.definitions() }
    for (const { node, where, original } of this.#references) {
      if (atPointer(root, (node.$ref as string).slice(1)) !== undefined) continue
      delete node.$ref
      Object.assign(node, this.#untyped(where, `$ref ${JSON.stringify(original)} points to nothing in components.schemas`))
    }
  }

  #untyped (where: string, reason: string): PreparedSchema {
    this.#notes.push({ where, reason: `${reason}; typed unknown` })
    return untyped(reason)
  }

  /** The reference as a pointer into `definitions`, or undefined for one that leaves the document's components. */
  #resolve (ref: string, component: string | undefined): string | undefined {
    const definitionsOf = (key: string, rest: string): string | undefined => {
      const definitionKey = this.#definitionKeys.get(key)
      if (definitionKey === undefined || (rest !== '' && !rest.startsWith('/'))) return undefined
      return `#/definitions/${definitionKey}${rest}`
    }
    const componentsPrefix = '#/components/schemas/'
    if (ref.startsWith(componentsPrefix)) {
      const [first = '', ...rest] = ref.slice(componentsPrefix.length).split('/')
      const key = decodeSegment(first)
      return key === undefined ? undefined : definitionsOf(key, rest.length === 0 ? '' : `/${rest.join('/')}`)
    }
    if (ref.startsWith('#')) {
      // Inside a component with an $id, "#" is that component; elsewhere it is the document, whose other parts are not types.
      const hasId = component !== undefined && isObject(this.#components[component]) && typeof (this.#components[component] as { $id?: unknown }).$id === 'string'
      return hasId ? definitionsOf(component, ref.slice(1)) : undefined
    }
    const hash = ref.indexOf('#')
    const key = this.#keysById.get(hash < 0 ? ref : ref.slice(0, hash))
    return key === undefined ? undefined : definitionsOf(key, hash < 0 ? '' : ref.slice(hash + 1))
  }

  #walk (schema: unknown, context: WalkContext): PreparedSchema {
    const { where, depth } = context
    if (schema === true) return {}
    if (schema === false) return { tsType: 'never' }
    if (!isObject(schema)) return this.#untyped(where, 'not a JSON Schema')
    if (depth > MAX_SCHEMA_DEPTH) return this.#untyped(where, `nested more than ${MAX_SCHEMA_DEPTH} levels deep`)
    const child = (value: unknown, at: string): PreparedSchema => this.#walk(value, { ...context, where: `${where}${at}`, depth: depth + 1 })

    if (typeof schema.$ref === 'string') {
      if (OPENRPC_META_SCHEMA_REFS.has(schema.$ref)) return { type: 'object', additionalProperties: true }
      const resolved = this.#resolve(schema.$ref, context.component)
      if (resolved === undefined) return this.#untyped(where, `$ref ${JSON.stringify(schema.$ref)} is not one of the document's components.schemas`)
      const node: PreparedSchema = { $ref: resolved }
      this.#references.push({ node, where, original: schema.$ref })
      return node
    }

    const prepared: PreparedSchema = {}
    // The meta-schema check let only JSON Schema's seven type names through.
    if (schema.type !== undefined) prepared.type = schema.type
    if (Array.isArray(schema.enum)) prepared.enum = schema.enum
    if (schema.const !== undefined) prepared.const = schema.const
    if (Array.isArray(schema.required)) prepared.required = schema.required.filter(name => typeof name === 'string')
    if (typeof schema.title === 'string') prepared.title = schema.title
    if (typeof schema.description === 'string') prepared.description = commentText(schema.description)
    if (typeof schema.deprecated === 'boolean') prepared.deprecated = schema.deprecated
    if (typeof schema.nullable === 'boolean') prepared.nullable = schema.nullable

    for (const keyword of SCHEMA_MAPS) {
      const map = schema[keyword]
      if (!isObject(map)) continue
      const out: Record<string, PreparedSchema> = {}
      for (const [name, value] of Object.entries(map)) {
        Object.defineProperty(out, name, { value: child(value, `.${keyword}[${JSON.stringify(name)}]`), enumerable: true, writable: true, configurable: true })
      }
      prepared[keyword] = out
    }
    for (const keyword of SCHEMA_LISTS) {
      const list = schema[keyword]
      if (Array.isArray(list)) prepared[keyword] = list.map((value, index) => child(value, `.${keyword}[${index}]`))
    }
    for (const keyword of SCHEMA_OR_BOOLEAN) {
      const value = schema[keyword]
      if (typeof value === 'boolean') prepared[keyword] = value
      else if (value !== undefined) prepared[keyword] = child(value, `.${keyword}`)
    }
    const items = schema.items
    if (Array.isArray(items)) prepared.items = items.map((value, index) => child(value, `.items[${index}]`))
    else if (items !== undefined) prepared.items = child(items, '.items')
    return prepared
  }
}
