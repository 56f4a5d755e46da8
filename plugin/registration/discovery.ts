import { RpcError } from '../../protocol/rpc-error'
import type { RpcContext, RpcGuard } from '../contracts/call-context'
import type { JSONSchemaObject } from '../contracts/json-schema'
import { componentKey, buildSharedSchemaResolver, describeMethod, DISCOVER_DESCRIPTION, DISCOVER_METHOD, methodSchemas, OPENRPC_VERSION, type OpenRpcInfo } from './openrpc'
import type { RpcMethodEntry, RpcRegistry } from '../contracts/method-entry'

/** Distinct allowed-method sets whose documents are kept encoded; past it the oldest is dropped. */
export const DISCOVERY_CACHE_SIZE = 64

/** What a discovery call needs of one method, decided at registration. */
interface ListedMethod {
  /** The method's description, encoded. */
  readonly json: string
  /** Its guards beyond the plugin-wide ones (those already let the discovery call through). */
  readonly guards: readonly RpcGuard[]
  /** The shared schemas its schemas reach, as indices into the encoded components. */
  readonly schemas: readonly number[]
}

export interface DiscoveryOptions {
  info: OpenRpcInfo
  /** The app's `fastify.addSchema` schemas. */
  sharedSchemas: readonly JSONSchemaObject[]
  /** Plugin-wide guards: they decide whether `rpc.discover` may be called at all. */
  guards: readonly RpcGuard[]
  /** The plugin-wide timeout (ms, 0 for none): method guards asked by a discovery call run under it. */
  timeout: number
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * A guard that throws refuses: an RpcError as it would for a call; anything
 * else is a bug in the guard, logged, and the method stays hidden.
 */
function refusal (error: unknown, context: RpcContext): false {
  let expected = false
  try {
    expected = error instanceof RpcError
  } catch {}
  if (!expected) {
    try {
      context.log.error({ err: error, rpcMethod: DISCOVER_METHOD }, 'a guard failed while rpc.discover chose the methods to list')
    } catch {}
  }
  return false
}

/** One discovery call's guard verdicts: each distinct guard function is asked once, whatever the number of methods it guards. */
type Verdicts = Map<RpcGuard, boolean | Promise<boolean>>

function verdictOf (guard: RpcGuard, context: RpcContext, verdicts: Verdicts): boolean | Promise<boolean> {
  let verdict = verdicts.get(guard)
  if (verdict !== undefined) return verdict
  try {
    const answer = guard(context)
    verdict = isThenable(answer)
      ? Promise.resolve(answer).then(value => value === true, (error: unknown) => refusal(error, context))
      : answer === true
  } catch (error) {
    verdict = refusal(error, context)
  }
  verdicts.set(guard, verdict)
  return verdict
}

/** A method's guards in order, stopping at the first refusal, as a call would; synchronous while the guards are. */
function allows (guards: readonly RpcGuard[], from: number, context: RpcContext, verdicts: Verdicts): boolean | Promise<boolean> {
  for (let i = from; i < guards.length; i++) {
    const verdict = verdictOf(guards[i], context, verdicts)
    if (verdict === false) return false
    if (verdict !== true) return verdict.then(allowed => allowed && allows(guards, i + 1, context, verdicts))
  }
  return true
}

/**
 * The registry with `rpc.discover` added. Everything that does not depend on
 * the caller is done here, once: each method's description is encoded, the
 * shared schemas it reaches are found. A discovery call only asks the guards
 * of the guarded methods (with its own context, under the plugin's timeout)
 * and joins the encoded pieces of the methods the caller may call, with the
 * shared schemas those reference; encoded documents are cached per set of
 * methods. A server without method guards answers one document built here.
 */
export function withDiscovery (registry: RpcRegistry, options: DiscoveryOptions): RpcRegistry {
  const { info, sharedSchemas, guards } = options
  const pluginGuards = new Set(guards)
  const reachedBy = buildSharedSchemaResolver(sharedSchemas)
  const componentJson = sharedSchemas.map(schema => JSON.stringify(componentKey(String(schema.$id))) + ':' + JSON.stringify(schema))
  const listed: ListedMethod[] = [...registry.values()].map(entry => {
    const description = describeMethod(entry)
    return {
      json: JSON.stringify(description),
      guards: entry.guards.filter(guard => !pluginGuards.has(guard)),
      schemas: reachedBy(methodSchemas(description))
    }
  })
  const head = `{"openrpc":${JSON.stringify(OPENRPC_VERSION)},"info":${JSON.stringify(info)},"methods":[`
  const discoverJson = JSON.stringify(DISCOVER_DESCRIPTION)

  function assemble (allowed: readonly boolean[]): string {
    let methods = ''
    const schemas = new Set<number>()
    listed.forEach((method, index) => {
      if (!allowed[index]) return
      methods += method.json + ','
      for (const schema of method.schemas) schemas.add(schema)
    })
    let document = head + methods + discoverJson + ']'
    if (schemas.size > 0) {
      document += ',"components":{"schemas":{' + [...schemas].sort((a, b) => a - b).map(index => componentJson[index]).join(',') + '}}'
    }
    return document + '}'
  }

  const guarded = listed.some(method => method.guards.length > 0)
  const everything = assemble(listed.map(() => true))
  const cache = new Map<string, string>()

  function documentFor (allowed: readonly boolean[]): string {
    const key = allowed.map(flag => flag ? '1' : '0').join('')
    let document = cache.get(key)
    if (document === undefined) {
      document = assemble(allowed)
      if (cache.size >= DISCOVERY_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
      cache.set(key, document)
    }
    return document
  }

  function discover (context: RpcContext): string | Promise<string> {
    const verdicts: Verdicts = new Map()
    const pending: Array<boolean | Promise<boolean>> = listed.map(method => allows(method.guards, 0, context, verdicts))
    if (pending.every(verdict => typeof verdict === 'boolean')) return documentFor(pending as boolean[])
    return Promise.all(pending).then(documentFor)
  }

  const entry: RpcMethodEntry = {
    name: DISCOVER_METHOD,
    qualifiedName: DISCOVER_METHOD,
    // The engine puts the call's context first when contextIndex is 0.
    invoke: guarded ? args => discover(args[0] as RpcContext) : () => everything,
    parameters: [],
    rest: undefined,
    byName: new Map(),
    minPositional: 0,
    maxPositional: 0,
    returnType: Object,
    validateArgs: undefined,
    // The result is the document already encoded.
    encodeResult: result => result as string,
    timeout: options.timeout,
    contextIndex: guarded ? 0 : -1,
    guards,
    options: {}
  }
  return new Map([...registry, [DISCOVER_METHOD, entry]])
}
