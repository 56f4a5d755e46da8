/** The package root: the server plugin, its decorator, and the protocol types and errors. */
import { rpcPlugin } from './plugin'

export * from './protocol'
export * from './plugin'
export default rpcPlugin
