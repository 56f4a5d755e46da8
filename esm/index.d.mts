import { rpcPlugin } from '../dist/index.js'

export * from '../dist/index.js'
export default rpcPlugin
