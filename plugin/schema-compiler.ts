import Ajv, { type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import fastJsonStringify from 'fast-json-stringify'
import { RpcConfigurationError } from './configuration-error'
import type { JSONSchema, JSONSchemaObject } from './json-schema'
import type { ParamsProblem } from './params-binding'

export interface CompiledValidator {
  (value: unknown): boolean
  errors?: ErrorObject[] | null
}

/** Compiles the schemas of one registry, with the app's shared schemas available to `$ref`. */
export interface SchemaCompiler {
  validator: (schema: JSONSchema, where: string) => CompiledValidator
  serializer: (schema: JSONSchema, where: string) => (value: unknown) => string
}

function invalidSchema (where: string, error: unknown): RpcConfigurationError {
  const reason = error instanceof Error ? error.message : String(error)
  return new RpcConfigurationError('FST_JSONRPC_INVALID_SCHEMA', `${where}: invalid JSON Schema: ${reason}`)
}

/**
 * RPC params are JSON values a program sent, not HTML form fields: unlike
 * Fastify's route defaults, nothing is coerced ("5" stays a string), nothing
 * is removed or filled in, every problem is reported, and a schema with an
 * unknown keyword or a type-less `minimum` is refused at registration.
 */
const AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  addUsedSchema: false
} as const

export function createSchemaCompiler (sharedSchemas: readonly JSONSchemaObject[] = []): SchemaCompiler {
  const external: Record<string, JSONSchemaObject> = {}
  for (const schema of sharedSchemas) {
    if (typeof schema.$id !== 'string') {
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_SCHEMA', 'a shared schema has no `$id`, so no `$ref` could reach it')
    }
    external[schema.$id] = schema
  }
  // Created on the first explicit schema: services typed only by their signatures never need ajv.
  let ajv: Ajv | undefined
  function getAjv (): Ajv {
    if (ajv !== undefined) return ajv
    const created = new Ajv(AJV_OPTIONS)
    addFormats(created)
    for (const [id, schema] of Object.entries(external)) {
      try {
        created.addSchema(schema)
      } catch (error) {
        throw invalidSchema(`shared schema "${id}"`, error)
      }
    }
    ajv = created
    return created
  }
  return {
    validator (schema, where) {
      const instance = getAjv()
      try {
        return instance.compile(schema)
      } catch (error) {
        throw invalidSchema(where, error)
      }
    },
    serializer (schema, where) {
      try {
        // fast-json-stringify's own schema type is narrower than JSON Schema; its compiler checks the rest.
        const objectSchema = (typeof schema === 'boolean' ? {} : schema) as Parameters<typeof fastJsonStringify>[0]
        return fastJsonStringify(objectSchema, { schema: external as Record<string, Parameters<typeof fastJsonStringify>[0]> })
      } catch (error) {
        throw invalidSchema(where, error)
      }
    }
  }
}

/** Turns ajv's errors into params problems, paths rebased under `base` (a JSON pointer). */
export function toProblems (errors: ErrorObject[] | null | undefined, base: string): ParamsProblem[] {
  if (errors === null || errors === undefined || errors.length === 0) {
    return [{ path: base, message: 'does not match its schema' }]
  }
  return errors.map(error => {
    let path = base + error.instancePath
    const params = error.params as Record<string, unknown>
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      path += '/' + escapePointer(params.missingProperty)
    } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path += '/' + escapePointer(params.additionalProperty)
    }
    return { path, message: error.message ?? `fails "${error.keyword}"` }
  })
}

export function escapePointer (token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}
