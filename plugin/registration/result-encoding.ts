import type { JSONSchema } from '../contracts/json-schema'
import { ProblemList, type ParamsProblem } from '../contracts/params-problems'
import { stringifyResult } from '../contracts/response-encoding'
import type { SchemaCompiler } from './schema-compiler'
import type { ResultEncoder } from '../contracts/method-entry'

/** A method returned something its result schema or declared return type does not allow. */
export class ResultMismatchError extends Error {
  readonly problems: readonly ParamsProblem[]

  constructor (where: string, problems: readonly ParamsProblem[]) {
    super(`${where} returned a result that does not match its result schema: ` +
      problems.map(problem => `${problem.path === '' ? 'result' : 'result' + problem.path} ${problem.message}`).join('; '))
    this.name = 'ResultMismatchError'
    this.problems = problems
  }
}

function primitiveEncoder (where: string, expected: 'string' | 'number' | 'boolean'): ResultEncoder {
  // JSON has no NaN or Infinity: JSON.stringify would quietly send null.
  const matches = expected === 'number'
    ? (value: unknown) => typeof value === 'number' && Number.isFinite(value)
    // eslint-disable-next-line valid-typeof -- `expected` is one of 'string' | 'number' | 'boolean', checked at registration
    : (value: unknown) => typeof value === expected
  const message = expected === 'number' ? 'must be a finite number' : `must be ${expected}`
  return function encodePrimitive (result) {
    if (!matches(result)) throw new ResultMismatchError(where, [{ path: '', message }])
    return JSON.stringify(result)
  }
}

export interface ResultEncoderSpec {
  /** The decorator's `result`. */
  readonly schema: JSONSchema | undefined
  /** `design:returntype`; a `Promise` (any async method) says nothing. */
  readonly returnType: Function | undefined
  readonly where: string
}

/**
 * With a schema, the result is checked by ajv and written by
 * fast-json-stringify, both compiled here once. The check is not optional:
 * fast-json-stringify trusts its input and would turn 5 into "5", "abc" into
 * an exception, or an object into "[object Object]".
 */
export function buildResultEncoder (spec: ResultEncoderSpec, compiler: SchemaCompiler): ResultEncoder {
  const { schema, returnType, where } = spec
  if (schema === true) return stringifyResult
  if (schema === undefined) {
    switch (returnType) {
      case String: return primitiveEncoder(where, 'string')
      case Number: return primitiveEncoder(where, 'number')
      case Boolean: return primitiveEncoder(where, 'boolean')
      default: return stringifyResult
    }
  }
  const { validate, explain } = compiler.check(schema, `${where} result`)
  const serialize = compiler.serializer(schema, `${where} result`)
  return function encodeWithSchema (result) {
    if (!validate(result)) {
      // A result may echo a caller's params: its problems are capped like theirs, so the log line stays small.
      const problems = new ProblemList()
      explain(result, '', problems)
      throw new ResultMismatchError(where, problems.toData())
    }
    return serialize(result)
  }
}
