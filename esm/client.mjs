// ESM entry point of `fastify-jsonrpc/client`: the client is compiled to
// CommonJS once; this re-exports it. It loads no server code.
export * from '../dist/client/index.js'
