export * from './error-codes'
export * from './messages'
export { RpcError } from './rpc-error'
