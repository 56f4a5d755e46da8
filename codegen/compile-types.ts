import type { compile as CompileFunction } from 'json-schema-to-typescript'
import { CodegenError } from './codegen-error'
import type { PreparedSchema } from './prepare-schemas'
import { braces, isCommentLine } from './source-text'

export const GENERATOR_PACKAGE = 'json-schema-to-typescript'

/** The name of the interface that carries the slots through the library; it never reaches the output. */
const SLOTS_ROOT = 'FastifyJsonrpcTypeSlots'

export interface CompiledTypes {
  /** The named types (components, titled schemas), each a list of unindented lines. */
  declarations: string[][]
  /** The names those declare. */
  declaredNames: Set<string>
  /** The TypeScript type of each slot schema, in order: one line, or several unindented. */
  slots: string[]
}

function isMissingModule (error: unknown, name: string): boolean {
  const { code, message } = error as { code?: unknown, message?: unknown }
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`)
}

/**
 * Loads json-schema-to-typescript, an optional peer: only the code generator
 * needs it (with prettier, which it brings, it is some 20 MB a server does
 * not want). `name` is a parameter so that the missing case can be tested.
 */
export async function loadCompiler (name: string = GENERATOR_PACKAGE): Promise<typeof CompileFunction> {
  try {
    const loaded = await import(name) as { compile: typeof CompileFunction }
    return loaded.compile
  } catch (error) {
    if (isMissingModule(error, name)) {
      throw new CodegenError('missing-generator',
        `generating types needs the ${name} package, an optional peer dependency: npm install --save-dev ${name}`)
    }
    /* c8 ignore next 2 -- an installed but broken package: nothing to add to its own error */
    throw error
  }
}

/** Removes the library's remark on definitions that the root does not reach, which names our internal root. */
function withoutRootRemarks (block: string[]): string[] {
  const out: string[] = []
  for (let index = 0; index < block.length; index++) {
    const line = block[index] as string
    if (line.startsWith(` * This interface was referenced by \`${SLOTS_ROOT}\``)) {
      index++ // and its second line, "via the `definition` ..."
      if (out[out.length - 1] === ' * ') out.pop()
      continue
    }
    out.push(line)
  }
  // A comment that held nothing else is dropped whole.
  const empty = out.findIndex((line, index) => line === '/**' && out[index + 1] === ' */')
  if (empty >= 0) out.splice(empty, 2)
  return out
}

/** Splits the library's unindented output into top-level declarations (each with the comment before it). */
function splitDeclarations (lines: readonly string[]): string[][] {
  const blocks: string[][] = []
  let current: string[] = []
  let depth = 0
  for (const line of lines) {
    if (line.trim() === '' && depth === 0) continue
    current.push(line)
    depth += braces(line).net
    if (depth === 0 && !isCommentLine(line)) {
      blocks.push(current)
      current = []
    }
  }
  return blocks
}

/** Reads the type of each slot member out of the root interface; comments on the slot members are the library's, and dropped. */
function readSlots (block: readonly string[], count: number): string[] {
  const slots: string[][] = []
  let current: string[] | undefined
  let depth = 0
  for (const line of block) {
    const before = depth
    depth += braces(line).net
    if (before === 0) continue // the `export interface ... {` line
    if (before === 1 && depth === 0) break // its closing brace
    if (before === 1 && isCommentLine(line)) continue
    const member = before === 1 ? /^s(\d+): (.*)$/.exec(line) : null
    if (member !== null) {
      current = [member[2] as string]
      slots[Number(member[1])] = current
    } else {
      current?.push(line)
    }
  }
  const texts = slots.map(lines => lines.join('\n'))
  /* c8 ignore next 3 -- a library that changed its output format: say so rather than write wrong types */
  if (texts.length !== count || texts.some(text => text === undefined || text === '')) {
    throw new CodegenError('inexpressible', `${GENERATOR_PACKAGE} wrote output this generator cannot read; is its version ^16?`)
  }
  return texts
}

/**
 * Runs the library once over every schema of the document: the components
 * become named types, and each slot (a param or a result) becomes a member
 * of an internal root interface, whose member types are then read back as
 * text. One run lets the library name and share types across all methods.
 */
export async function compileTypes (compile: typeof CompileFunction, definitions: Record<string, PreparedSchema>, slots: readonly PreparedSchema[]): Promise<CompiledTypes> {
  const properties: Record<string, PreparedSchema> = {}
  for (const [index, slot] of slots.entries()) {
    // A slot's own description and deprecation go into the method's comment, not the root's.
    const { description: _description, deprecated: _deprecated, ...schema } = slot
    properties[`s${index}`] = schema
  }
  const root: Parameters<typeof CompileFunction>[0] = {
    title: SLOTS_ROOT,
    type: 'object',
    additionalProperties: false,
    properties,
    required: Object.keys(properties),
    definitions
  }
  let output: string
  try {
    output = await compile(root, SLOTS_ROOT, {
      bannerComment: '',
      format: false,
      unreachableDefinitions: true,
      // An object schema without `additionalProperties` gets no index signature: cleaner types for API shapes.
      additionalProperties: false,
      unknownAny: true,
      ignoreMinAndMaxItems: true,
      // Every $ref was made internal; never let the library fetch one.
      $refOptions: { resolve: { external: false } }
    })
  } catch (error) {
    throw new CodegenError('inexpressible', `${GENERATOR_PACKAGE} could not turn the document's schemas into types: ${error instanceof Error ? error.message : String(error)}`)
  }
  const blocks = splitDeclarations(output.split('\n'))
  const rootIndex = blocks.findIndex(block => block.some(line => line === `export interface ${SLOTS_ROOT} {`))
  /* c8 ignore next -- the root is always declared: it has a title and is an object */
  if (rootIndex < 0) throw new CodegenError('inexpressible', `${GENERATOR_PACKAGE} wrote no root interface; is its version ^16?`)
  const declarations = blocks.filter((_, index) => index !== rootIndex).map(withoutRootRemarks)
  const declaredNames = new Set<string>()
  for (const block of declarations) {
    for (const line of block) {
      const match = /^export (?:declare )?(?:const )?(?:interface|type|enum) ([A-Za-z_$][\w$]*)/.exec(line)
      if (match !== null) declaredNames.add(match[1] as string)
    }
  }
  return { declarations, declaredNames, slots: readSlots(blocks[rootIndex] as string[], slots.length) }
}
