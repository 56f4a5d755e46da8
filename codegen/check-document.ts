import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'
import openrpcMetaSchema from '@open-rpc/meta-schema'
import jsonSchemaMetaSchema from '@json-schema-tools/meta-schema'
import { CodegenError } from './codegen-error'
import type { DiscoveredDocument } from './openrpc-types'

/** How many meta-schema complaints a message lists; the first few say what is wrong. */
const MAX_LISTED_PROBLEMS = 5

let validator: ValidateFunction | undefined

/**
 * The OpenRPC meta-schema describes the schemas in a document by $ref to the
 * JSON Schema meta-schema of @json-schema-tools/meta-schema. Both name their
 * own dialect, which ajv does not know by that name, so it is left out.
 */
function openrpcValidator (): ValidateFunction {
  if (validator !== undefined) return validator
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false })
  const { $schema: _jsonSchemaDialect, ...jsonSchemaMeta } = jsonSchemaMetaSchema as unknown as Record<string, unknown>
  // The OpenRPC meta-schema refers to it both with and without the trailing slash of its $id.
  ajv.addSchema({ ...jsonSchemaMeta, $id: 'https://meta.json-schema.tools/' })
  ajv.addSchema({ ...jsonSchemaMeta, $id: 'https://meta.json-schema.tools' })
  const { $schema: _openrpcDialect, ...metaSchema } = openrpcMetaSchema as unknown as Record<string, unknown>
  validator = ajv.compile(metaSchema)
  return validator
}

function describeProblem (error: ErrorObject): string {
  return `${error.instancePath === '' ? '(the document)' : error.instancePath}: ${error.message ?? 'is not valid'}`
}

/**
 * Checks that `value` is an OpenRPC document: valid against the OpenRPC
 * meta-schema, and with each method name used once (which the meta-schema
 * cannot say). Throws a `CodegenError` of kind `not-openrpc` naming what is wrong.
 */
export function checkOpenRpcDocument (value: unknown, source: string): DiscoveredDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { openrpc?: unknown }).openrpc !== 'string') {
    throw new CodegenError('not-openrpc', `${source} is not an OpenRPC document: it has no "openrpc" version field`)
  }
  const validate = openrpcValidator()
  let valid: boolean
  try {
    valid = validate(value) as boolean
  } catch (error) {
    // Schemas nested thousands of levels deep exhaust the stack of ajv's recursive checks.
    if (error instanceof RangeError) throw new CodegenError('not-openrpc', `${source} is nested too deeply to be checked`)
    /* c8 ignore next 2 -- ajv's compiled validators throw nothing else */
    throw error
  }
  if (!valid) {
    const problems = (validate.errors ?? []).slice(0, MAX_LISTED_PROBLEMS).map(describeProblem)
    throw new CodegenError('not-openrpc', `${source} is not a valid OpenRPC document (checked against the OpenRPC meta-schema)`, problems)
  }
  const document = value as DiscoveredDocument
  const seen = new Set<string>()
  for (const method of document.methods) {
    if (!('name' in method)) continue
    if (seen.has(method.name)) throw new CodegenError('not-openrpc', `${source} names the method ${JSON.stringify(method.name)} twice`)
    seen.add(method.name)
  }
  return document
}
