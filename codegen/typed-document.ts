import type { compile as CompileFunction } from 'json-schema-to-typescript'
import { checkOpenRpcDocument } from './check-document'
import { CodegenError } from './codegen-error'
import { compileTypes } from './compile-types'
import type { DiscoveredDocument } from './openrpc-types'
import { isUntyped, SchemaPreparer, type PreparedSchema } from './prepare-schemas'
import { readMethods, type CodegenNote, type MethodDescription } from './read-methods'

export interface TypedParam {
  /** The name in the document. */
  name: string
  /** A valid, unique TypeScript parameter name for it. */
  identifier: string
  type: string
  /** `optional`: `name?: T`; `undefinable`: a param the server may go without, but which a later required one keeps in place (`name: T | undefined`). */
  presence: 'required' | 'optional' | 'undefinable'
  rest: boolean
  description: string | undefined
  deprecated: boolean
  /** Why it is `unknown`, when the document's schema could not be typed. */
  untyped: string | undefined
}

export interface TypedMethod {
  method: MethodDescription
  params: TypedParam[]
  /** undefined for a notification. */
  result: { type: string, description: string | undefined, untyped: string | undefined } | undefined
}

export interface TypedDocument {
  document: DiscoveredDocument
  methods: TypedMethod[]
  declarations: string[][]
  declaredNames: Set<string>
  notes: CodegenNote[]
}

export interface AnalyzeOptions {
  /** Names the document in messages: its file or URL. */
  source: string
  /** Fail on any part that would be typed `unknown`, instead of noting it. */
  strict?: boolean
  compile: typeof CompileFunction
}

/** Words a parameter cannot be named in strict-mode TypeScript. */
const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
  'instanceof new null return super switch this throw true try typeof var void while with implements interface let package private protected public static yield ' +
  'await arguments eval').split(' '))

/** A parameter name TypeScript accepts, unique in its list: `first-name` becomes `first_name`, `class` becomes `class_`. */
function identifierFor (name: string, taken: Set<string>): string {
  let identifier = name.replace(/[^\w$]/g, '_')
  if (identifier === '' || /^\d/.test(identifier)) identifier = `_${identifier}`
  if (RESERVED.has(identifier)) identifier += '_'
  let unique = identifier
  for (let suffix = 2; taken.has(unique); suffix++) unique = `${identifier}${suffix}`
  taken.add(unique)
  return unique
}

function untypedReason (schema: PreparedSchema): string | undefined {
  return isUntyped(schema) ? (schema.description as string).replace(/^Not typed: /, '') : undefined
}

/** A descriptor's own description, else its schema's (where this package's server puts it). */
function describe (given: string | undefined, schema: PreparedSchema): string | undefined {
  if (given !== undefined) return given
  return typeof schema.description === 'string' && !isUntyped(schema) ? schema.description : undefined
}

/**
 * Reads an OpenRPC document into typed methods: checks it, follows its
 * references, prepares its schemas and runs the library once over all of
 * them. What `types` writes and `list` prints both come from this.
 */
export async function analyzeDocument (value: unknown, options: AnalyzeOptions): Promise<TypedDocument> {
  const document = checkOpenRpcDocument(value, options.source)
  const notes: CodegenNote[] = []
  const methods = readMethods(document, notes)
  const preparer = new SchemaPreparer(document.components?.schemas, notes)
  const definitions = preparer.definitions()
  const slots: PreparedSchema[] = []
  const slotOf = (schema: PreparedSchema): number => slots.push(schema) - 1
  const plans = methods.map(method => {
    const where = `method ${JSON.stringify(method.name)}`
    return {
      method,
      params: method.params.map(param => slotOf(preparer.prepare(param.schema, `${where}, param ${JSON.stringify(param.name)}`))),
      result: method.result === undefined ? undefined : slotOf(preparer.prepare(method.result.schema, `${where}, result`))
    }
  })
  preparer.checkReferences()
  if (options.strict === true && notes.length > 0) {
    throw new CodegenError('inexpressible', `${options.source} has parts TypeScript cannot express (without --strict they are typed unknown)`,
      notes.map(note => `${note.where}: ${note.reason}`))
  }
  const compiled = await compileTypes(options.compile, definitions, slots)

  const typed = plans.map(({ method, params, result }): TypedMethod => {
    const taken = new Set<string>()
    const lastRequired = method.params.reduce((last, param, index) => param.required ? index : last, -1)
    return {
      method,
      params: method.params.map((param, index): TypedParam => {
        const slot = params[index] as number
        const rest = param.rest && index === method.params.length - 1
        const type = compiled.slots[slot] as string
        return {
          name: param.name,
          identifier: identifierFor(param.name, taken),
          // A rest param's schema is the array of the remaining params; anything else is made one.
          type: rest && (slots[slot] as PreparedSchema).type !== 'array' ? `Array<${type}>` : type,
          presence: param.required || rest ? 'required' : index < lastRequired ? 'undefinable' : 'optional',
          rest,
          description: describe(param.description, slots[slot] as PreparedSchema),
          deprecated: param.deprecated,
          untyped: untypedReason(slots[slot] as PreparedSchema)
        }
      }),
      result: result === undefined
        ? undefined
        : { type: compiled.slots[result] as string, description: describe(method.result?.description, slots[result] as PreparedSchema), untyped: untypedReason(slots[result] as PreparedSchema) }
    }
  })
  return { document, methods: typed, declarations: compiled.declarations, declaredNames: compiled.declaredNames, notes }
}
