// ESM entry point of `fastify-jsonrpc/engine`: the engine is compiled to
// CommonJS once; this re-exports it.
export * from '../dist/engine.js'
