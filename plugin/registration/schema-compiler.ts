import Ajv, { type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import fastJsonStringify from 'fast-json-stringify'
import { RpcConfigurationError } from '../configuration-error'
import type { JSONSchema, JSONSchemaObject } from '../contracts/json-schema'
import { escapePointer, type ProblemList } from '../contracts/params-problems'

export interface CompiledValidator {
  (value: unknown): boolean
  errors?: ErrorObject[] | null
}

/**
 * One schema compiled twice. `validate` stops at the first problem: it is
 * what every call runs, and the only pass over a large value. `explain` lists
 * the problems of a value `validate` refused: every one (ajv's allErrors) for
 * a small value, only the first for a large one, so a hostile array of
 * 300,000 bad elements is never walked with allErrors.
 */
export interface SchemaCheck {
  readonly validate: CompiledValidator
  readonly explain: (value: unknown, base: string, problems: ProblemList) => void
}

/**
 * A value is small enough to explain in full when it holds at most this many
 * JSON values (every array element, object member and scalar counts one)...
 * allErrors evaluates every keyword, including those a first-error pass skips
 * (a `uniqueItems` behind a failed `maxItems` costs n² comparisons).
 */
export const EXPLAIN_VALUE_BUDGET = 1000

/** ...and no string longer than this: allErrors would run a `pattern` that a failed `maxLength` kept away from it. */
export const EXPLAIN_STRING_BUDGET = 1000

/** Compiles the schemas of one registry, with the app's shared schemas available to `$ref`. */
export interface SchemaCompiler {
  check: (schema: JSONSchema, where: string) => SchemaCheck
  serializer: (schema: JSONSchema, where: string) => (value: unknown) => string
}

function invalidSchema (where: string, error: unknown): RpcConfigurationError {
  const reason = error instanceof Error ? error.message : String(error)
  return new RpcConfigurationError('FST_JSONRPC_INVALID_SCHEMA', `${where}: invalid JSON Schema: ${reason}`)
}

/**
 * RPC params are JSON values a program sent, not HTML form fields: unlike
 * Fastify's route defaults, nothing is coerced ("5" stays a string), nothing
 * is removed or filled in, and a schema with an unknown keyword or a
 * type-less `minimum` is refused at registration. `allErrors` is set per
 * instance: off for checking, on for explaining.
 */
const AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  strict: true,
  allowUnionTypes: true,
  addUsedSchema: false
} as const

export function buildSchemaCompiler (sharedSchemas: readonly JSONSchemaObject[] = []): SchemaCompiler {
  const external: Record<string, JSONSchemaObject> = {}
  for (const schema of sharedSchemas) {
    if (typeof schema.$id !== 'string') {
      throw new RpcConfigurationError('FST_JSONRPC_INVALID_SCHEMA', 'a shared schema has no `$id`, so no `$ref` could reach it')
    }
    external[schema.$id] = schema
  }
  // Created on the first explicit schema: services typed only by their signatures never need ajv.
  let instances: { check: Ajv, explain: Ajv } | undefined
  function buildAjv (allErrors: boolean): Ajv {
    const created = new Ajv({ ...AJV_OPTIONS, allErrors })
    addFormats(created)
    for (const [id, schema] of Object.entries(external)) {
      try {
        created.addSchema(schema)
      } catch (error) {
        throw invalidSchema(`shared schema "${id}"`, error)
      }
    }
    return created
  }
  function getAjv (): { check: Ajv, explain: Ajv } {
    instances ??= { check: buildAjv(false), explain: buildAjv(true) }
    return instances
  }
  return {
    check (schema, where) {
      const ajv = getAjv()
      let validate: CompiledValidator
      let explainAll: CompiledValidator
      try {
        validate = ajv.check.compile(schema)
        explainAll = ajv.explain.compile(schema)
      } catch (error) {
        throw invalidSchema(where, error)
      }
      return {
        validate,
        explain (value, base, problems) {
          if (isSmall(value)) {
            explainAll(value)
            addProblems(explainAll.errors, base, problems)
          } else {
            validate(value)
            addProblems(validate.errors, base, problems)
          }
        }
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

/** Adds ajv's errors to the list, paths rebased under `base` (a JSON pointer); past the list's cap they are only counted. */
export function addProblems (errors: ErrorObject[] | null | undefined, base: string, problems: ProblemList): void {
  // Defensive: ajv sets `errors` whenever it answers false; a validator from elsewhere might not.
  if (errors === null || errors === undefined || errors.length === 0) {
    problems.add(base, 'does not match its schema')
    return
  }
  for (let i = 0; i < errors.length; i++) {
    if (problems.full) {
      problems.count(errors.length - i)
      return
    }
    const error = errors[i]
    let path = base + error.instancePath
    const params = error.params as Record<string, unknown>
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      path += '/' + escapePointer(params.missingProperty)
    } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path += '/' + escapePointer(params.additionalProperty)
    }
    problems.add(path, error.message ?? `fails "${error.keyword}"`)
  }
}

/**
 * Walks `value` without recursion (params may nest 100,000 levels deep) and
 * stops as soon as it passes a budget: the walk never goes further into a
 * large value than the budget.
 */
export function isSmall (value: unknown): boolean {
  const pending: unknown[] = [value]
  let seen = 0
  while (pending.length > 0) {
    const current = pending.pop()
    if (++seen > EXPLAIN_VALUE_BUDGET) return false
    if (typeof current === 'string') {
      if (current.length > EXPLAIN_STRING_BUDGET) return false
      continue
    }
    if (typeof current !== 'object' || current === null) continue
    const members = Array.isArray(current) ? current : Object.values(current)
    if (seen + members.length > EXPLAIN_VALUE_BUDGET) return false
    for (const member of members) pending.push(member)
  }
  return true
}
