import type { ContentDescriptor, Schema } from './document'

/** What the page says about a schema in one short line: `string`, `integer[]`, `"a" | "b"`, `Point`. */
export function typeLabel (schema: Schema, depth = 0): string {
  if (schema === true) return 'any'
  if (schema === false) return 'never'
  if (depth > 4) return '…'
  if (typeof schema.$ref === 'string') return schema.$ref.replace(/#$/, '').split(/[/#]/).filter(Boolean).pop() ?? schema.$ref
  if ('const' in schema) return JSON.stringify(schema.const) ?? 'any'
  if (Array.isArray(schema.enum)) return schema.enum.map(value => JSON.stringify(value)).join(' | ')
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options)) return options.map(option => typeLabel(option as Schema, depth + 1)).join(' | ')
  }
  const types = Array.isArray(schema.type) ? schema.type.filter(type => typeof type === 'string') : typeof schema.type === 'string' ? [schema.type] : []
  if (types.length === 0) return 'any'
  return types.map(type => {
    if (type === 'array' && (typeof schema.items === 'object' || typeof schema.items === 'boolean') && !Array.isArray(schema.items)) {
      const item = typeLabel(schema.items as Schema, depth + 1)
      return item.includes(' ') ? `(${item})[]` : `${item}[]`
    }
    if (type === 'string' && typeof schema.format === 'string') return `string (${schema.format})`
    return type
  }).join(' | ')
}

/** A value to start editing from: the schema's default or example, else an empty value of its type. */
export function sampleValue (schema: Schema, depth = 0): unknown {
  if (typeof schema === 'boolean' || depth > 4) return null
  if ('default' in schema) return schema.default
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0]
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options) && options.length > 0) return sampleValue(options[0] as Schema, depth + 1)
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': return ''
    case 'integer':
    case 'number': return typeof schema.minimum === 'number' ? schema.minimum : 0
    case 'boolean': return false
    case 'array': return []
    case 'object': return sampleObject(schema, depth)
    default: return null
  }
}

function sampleObject (schema: Record<string, unknown>, depth: number): Record<string, unknown> {
  const sample: Record<string, unknown> = {}
  const properties = typeof schema.properties === 'object' && schema.properties !== null ? schema.properties as Record<string, Schema> : {}
  const required = Array.isArray(schema.required) ? schema.required : []
  for (const name of Object.keys(properties)) {
    if (required.includes(name)) Object.defineProperty(sample, name, { value: sampleValue(properties[name] as Schema, depth + 1), enumerable: true, writable: true, configurable: true })
  }
  return sample
}

export type ParamMode = 'by-position' | 'by-name'

/**
 * The params editor's first text: every parameter with a sample value, in
 * order (by position) or as an object (by name). A rest parameter starts
 * empty: by position it adds nothing, by name it is an empty array.
 */
export function prefillParams (params: readonly ContentDescriptor[], mode: ParamMode): string {
  if (mode === 'by-position') {
    return JSON.stringify(params.filter(param => !param.rest).map(param => sampleValue(param.schema)))
  }
  const named: Record<string, unknown> = {}
  for (const param of params) {
    Object.defineProperty(named, param.name, { value: param.rest ? [] : sampleValue(param.schema), enumerable: true, writable: true, configurable: true })
  }
  return JSON.stringify(named, null, 1).replace(/\n\s*/g, ' ')
}

/** An example's params, written in the editor's current mode. */
export function exampleParams (params: ReadonlyArray<{ name: string, value: unknown }>, descriptors: readonly ContentDescriptor[], mode: ParamMode): string {
  if (mode === 'by-position') {
    const values: unknown[] = []
    for (const param of params) {
      const descriptor = descriptors.find(candidate => candidate.name === param.name)
      if (descriptor?.rest === true && Array.isArray(param.value)) values.push(...param.value)
      else values.push(param.value)
    }
    return JSON.stringify(values)
  }
  const named: Record<string, unknown> = {}
  for (const param of params) Object.defineProperty(named, param.name, { value: param.value, enumerable: true, writable: true, configurable: true })
  return JSON.stringify(named)
}
