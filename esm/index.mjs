// ESM entry point: the package is compiled to CommonJS once; this re-exports it
// so that `import rpcPlugin from 'fastify-jsonrpc'` gives the plugin itself.
import cjs from '../dist/index.js'

export * from '../dist/index.js'
export default cjs.rpcPlugin
