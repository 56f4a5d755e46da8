import type { JSONSchema } from '../contracts/json-schema'
import { escapePointer, ProblemList } from '../contracts/params-problems'
import type { SchemaCheck, SchemaCompiler } from './schema-compiler'
import type { ArgsValidator } from '../contracts/method-entry'

/** What validation needs to know of a parameter; the registry's RpcParameter has it. */
export interface ValidatedParameter {
  readonly name: string
  readonly index: number
  readonly designType: Function | undefined
}

export type DerivedType = 'string' | 'number' | 'boolean' | 'array'

/**
 * `design:paramtypes` records a constructor; only the JSON primitives and
 * arrays say something checkable. `Object`, interfaces, unions and classes
 * arrive as `Object` or a class, which accept anything here.
 */
export function typeFromDesignType (designType: Function | undefined): DerivedType | undefined {
  switch (designType) {
    case String: return 'string'
    case Number: return 'number'
    case Boolean: return 'boolean'
    case Array: return 'array'
    default: return undefined
  }
}

interface Check {
  readonly index: number
  readonly pointer: string
  readonly validate: (value: unknown) => boolean
  /** Called only after `validate` refused `value`, to list why (up to the list's cap). */
  readonly explain: (value: unknown, path: string, problems: ProblemList) => void
}

/**
 * A derived schema would be a single `{ type }`: a typeof test says the same
 * as ajv's compiled function (JSON numbers are finite), in ajv's words,
 * without its call overhead on the hot path.
 */
const TYPE_TESTS: Readonly<Record<DerivedType, (value: unknown) => boolean>> = {
  string: value => typeof value === 'string',
  number: value => typeof value === 'number' && Number.isFinite(value),
  boolean: value => typeof value === 'boolean',
  array: value => Array.isArray(value)
}

function derivedCheck (index: number, pointer: string, type: DerivedType): Check {
  const message = `must be ${type}`
  return { index, pointer, validate: TYPE_TESTS[type], explain: (_value, path, problems) => problems.add(path, message) }
}

function compiledCheck (index: number, pointer: string, check: SchemaCheck): Check {
  return { index, pointer, validate: check.validate, explain: check.explain }
}

export interface ArgsValidatorSpec {
  readonly parameters: readonly ValidatedParameter[]
  readonly rest: ValidatedParameter | undefined
  /** The decorator's `params`: explicit schemas by parameter name, overriding the derived ones. */
  readonly schemas: Readonly<Record<string, JSONSchema>> | undefined
  /** `Class.method`, for configuration errors. */
  readonly where: string
}

/**
 * A rest parameter is checked element by element: TypeScript records the
 * element type of `...values: number[]` (Number) as its design type, and a
 * schema in `params` describes each element the same way.
 */
function buildRestCheck (rest: ValidatedParameter, explicit: JSONSchema | undefined, where: string, compiler: SchemaCompiler): Check | undefined {
  const pointer = '/' + escapePointer(rest.name) + '/'
  if (explicit === undefined) {
    const derived = typeFromDesignType(rest.designType)
    return derived === undefined ? undefined : derivedCheck(rest.index, pointer, derived)
  }
  if (explicit === true) return undefined
  return compiledCheck(rest.index, pointer, compiler.check(explicit, `${where} rest parameter "${rest.name}" (the schema of each element)`))
}

/**
 * Compiles one validator per checked parameter, once, and the element check
 * of a rest parameter. Returns undefined when nothing is checked, so calls
 * skip validation.
 */
export function buildArgsValidator (spec: ArgsValidatorSpec, compiler: SchemaCompiler): ArgsValidator | undefined {
  const { parameters, rest, schemas, where } = spec
  const checks: Check[] = []
  for (const param of parameters) {
    const pointer = '/' + escapePointer(param.name)
    const explicit = schemas?.[param.name]
    if (explicit === undefined) {
      const derived = typeFromDesignType(param.designType)
      if (derived !== undefined) checks.push(derivedCheck(param.index, pointer, derived))
    } else if (explicit !== true) {
      checks.push(compiledCheck(param.index, pointer, compiler.check(explicit, `${where} parameter "${param.name}"`)))
    }
  }
  const restCheck = rest === undefined ? undefined : buildRestCheck(rest, schemas?.[rest.name], where, compiler)
  if (checks.length === 0 && restCheck === undefined) return undefined

  return function validateArgs (args) {
    let problems: ProblemList | undefined
    for (const check of checks) {
      const value = args[check.index]
      // Absent (an optional parameter left out): the method's default applies.
      if (value === undefined) continue
      if (!check.validate(value)) {
        problems ??= new ProblemList()
        if (problems.full) problems.count(1)
        else check.explain(value, check.pointer, problems)
      }
    }
    if (restCheck !== undefined) {
      // One pass, each element checked once: past the list's cap a bad element is only counted.
      const { validate, explain, pointer, index } = restCheck
      for (let i = index; i < args.length; i++) {
        const element = args[i]
        if (validate(element)) continue
        problems ??= new ProblemList()
        if (problems.full) problems.count(1)
        else explain(element, pointer + String(i - index), problems)
      }
    }
    return problems
  }
}
