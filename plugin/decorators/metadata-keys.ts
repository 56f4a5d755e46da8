/** Every metadata key this library reads or writes, in one place. */

/** Own metadata of a prototype: the RPC methods decorated on that class. */
export const RPC_METHODS = 'fastify-jsonrpc:methods'

/** Metadata of a method: the index of its `@rpcContext()` parameter. */
export const RPC_CONTEXT_PARAMETER = 'fastify-jsonrpc:context-parameter'

/** Written by TypeScript when `emitDecoratorMetadata` is on. */
export const DESIGN_PARAM_TYPES = 'design:paramtypes'
export const DESIGN_RETURN_TYPE = 'design:returntype'
