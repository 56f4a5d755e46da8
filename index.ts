/** The package root: the server plugin, its decorator, the client, and the protocol types and errors. */
import { rpcPlugin } from './plugin'

export * from './protocol'
export * from './plugin'
export * from './client'
export default rpcPlugin
