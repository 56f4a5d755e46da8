/** Every metadata key this library reads or writes, in one place. */

/** Own metadata of a prototype: the RPC methods decorated on that class. */
export const RPC_METHODS = 'fastify-jsonrpc:methods'

/** Written by TypeScript when `emitDecoratorMetadata` is on. */
export const DESIGN_PARAM_TYPES = 'design:paramtypes'
export const DESIGN_RETURN_TYPE = 'design:returntype'
