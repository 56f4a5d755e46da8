import type { DiscoveredContentDescriptor, DiscoveredDocument, DiscoveredError, SchemaValue } from './openrpc-types'

/** Something of the document the generator had to leave untyped or out, and why. */
export interface CodegenNote {
  /** Where, e.g. `method "hello", param "name"`. */
  where: string
  reason: string
}

export interface MethodParam {
  name: string
  schema: SchemaValue
  required: boolean
  /** This package's `x-rest` extension: the schema is the array of every remaining param. */
  rest: boolean
  description: string | undefined
  deprecated: boolean
}

export interface MethodDescription {
  name: string
  summary: string | undefined
  description: string | undefined
  deprecated: boolean
  /** Only by name: a proxy, which sends params by position, cannot call it. */
  byNameOnly: boolean
  params: MethodParam[]
  /** undefined for a notification: OpenRPC 1.3 leaves `result` out for those. */
  result: { schema: SchemaValue, description: string | undefined } | undefined
  errors: DiscoveredError[]
}

/** Reference objects point into `components` (`#/components/contentDescriptors/x`); nothing else is followed. */
function follow<T> (document: DiscoveredDocument, value: T | { $ref: string }, section: 'contentDescriptors' | 'errors'): T | undefined {
  if (typeof value !== 'object' || value === null || !('$ref' in value) || typeof value.$ref !== 'string') return value as T
  const prefix = `#/components/${section}/`
  if (!value.$ref.startsWith(prefix)) return undefined
  const table = document.components?.[section] as Record<string, T> | undefined
  const key = decodeURIComponent(value.$ref.slice(prefix.length)).replace(/~1/g, '/').replace(/~0/g, '~')
  return table !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined
}

function readParam (descriptor: DiscoveredContentDescriptor): MethodParam {
  return {
    name: descriptor.name,
    schema: descriptor.schema,
    required: descriptor.required === true,
    rest: descriptor['x-rest'] === true,
    description: descriptor.description ?? descriptor.summary,
    deprecated: descriptor.deprecated === true
  }
}

/**
 * The methods of a checked document, with reference objects followed. A
 * method given as a reference, or a param or result whose reference leads
 * nowhere, is noted; the param becomes untyped rather than dropped, so that
 * the positions of the params after it stay right.
 */
export function readMethods (document: DiscoveredDocument, notes: CodegenNote[]): MethodDescription[] {
  const methods: MethodDescription[] = []
  for (const [index, entry] of document.methods.entries()) {
    if (!('name' in entry)) {
      notes.push({ where: `methods[${index}]`, reason: `a method given by reference (${JSON.stringify(entry.$ref)}) is left out: OpenRPC has no place to define it` })
      continue
    }
    const where = `method ${JSON.stringify(entry.name)}`
    const params = entry.params.map((param, position): MethodParam => {
      const descriptor = follow(document, param, 'contentDescriptors')
      if (descriptor !== undefined) return readParam(descriptor)
      notes.push({ where: `${where}, param ${position + 1}`, reason: `the reference ${JSON.stringify((param as { $ref: string }).$ref)} leads nowhere; typed unknown` })
      return { name: `param${position + 1}`, schema: true, required: false, rest: false, description: undefined, deprecated: false }
    })
    let result: MethodDescription['result']
    if (entry.result !== undefined) {
      const descriptor = follow(document, entry.result, 'contentDescriptors')
      if (descriptor === undefined) notes.push({ where: `${where}, result`, reason: `the reference ${JSON.stringify((entry.result as { $ref: string }).$ref)} leads nowhere; typed unknown` })
      result = { schema: descriptor?.schema ?? true, description: descriptor?.description ?? descriptor?.summary }
    }
    const errors = (entry.errors ?? []).map(error => follow(document, error, 'errors')).filter((error): error is DiscoveredError => error !== undefined)
    methods.push({
      name: entry.name,
      summary: entry.summary,
      description: entry.description,
      deprecated: entry.deprecated === true,
      byNameOnly: entry.paramStructure === 'by-name',
      params,
      result,
      errors
    })
  }
  return methods
}
