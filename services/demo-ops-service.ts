import { INVALID_PARAMS } from '../protocol/error-codes'
import { RpcError } from '../protocol/rpc-error'
import { rpcMethod } from '../plugin'

/** The longest `sleep` the demo grants, so a caller cannot park a request for ever. */
export const MAX_SLEEP_MS = 10_000

/**
 * Demo-only operations for the shutdown, cluster and soak tests: a slow call to
 * have in flight, and which process answered. Registered by the demo app only;
 * a real service would not expose either.
 */
export class DemoOpsService {
  @rpcMethod()
  async sleep (ms: number): Promise<number> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
      throw new RpcError(INVALID_PARAMS, 'Invalid params', [{ path: '/ms', message: `ms must be a number from 0 to ${MAX_SLEEP_MS}` }])
    }
    await new Promise(resolve => setTimeout(resolve, ms))
    return ms
  }

  @rpcMethod()
  processId (): number {
    return process.pid
  }
}
