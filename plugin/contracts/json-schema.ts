/** A JSON value, as a schema's `enum`, `const` or `default` holds it. */
export type JSONValue = string | number | boolean | null | readonly JSONValue[] | { readonly [key: string]: JSONValue }

export type JSONSchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null'

/**
 * A JSON Schema (draft-07, the dialect Fastify's ajv speaks). The common
 * keywords are typed; any other keyword is accepted by the type and checked
 * by ajv's strict mode when the plugin compiles the schema.
 */
export interface JSONSchemaObject {
  $id?: string
  $ref?: string
  $schema?: string
  $comment?: string
  title?: string
  description?: string
  type?: JSONSchemaTypeName | readonly JSONSchemaTypeName[]
  enum?: readonly JSONValue[]
  const?: JSONValue
  default?: JSONValue
  examples?: readonly JSONValue[]
  // numbers
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
  // strings
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
  // arrays
  items?: JSONSchema | readonly JSONSchema[]
  additionalItems?: JSONSchema
  contains?: JSONSchema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  // objects
  properties?: { readonly [name: string]: JSONSchema }
  patternProperties?: { readonly [pattern: string]: JSONSchema }
  additionalProperties?: JSONSchema
  propertyNames?: JSONSchema
  required?: readonly string[]
  minProperties?: number
  maxProperties?: number
  dependencies?: { readonly [name: string]: JSONSchema | readonly string[] }
  // composition
  allOf?: readonly JSONSchema[]
  anyOf?: readonly JSONSchema[]
  oneOf?: readonly JSONSchema[]
  not?: JSONSchema
  if?: JSONSchema
  then?: JSONSchema
  else?: JSONSchema
  definitions?: { readonly [name: string]: JSONSchema }
  nullable?: boolean
  [keyword: string]: unknown
}

/** `true` accepts anything, `false` nothing. */
export type JSONSchema = JSONSchemaObject | boolean
