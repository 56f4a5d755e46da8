/**
 * The code generator behind `fastify-jsonrpc types` and `list`. Node-only
 * (it loads json-schema-to-typescript); nothing in client/ imports it.
 */
export { CodegenError, type CodegenErrorKind } from './codegen-error'
export { analyzeDocument, type TypedDocument, type TypedMethod, type TypedParam, type AnalyzeOptions } from './typed-document'
export { renderModule, checkInterfaceName, type RenderOptions } from './render-module'
export { renderTable, printable } from './render-table'
export { loadCompiler, GENERATOR_PACKAGE } from './compile-types'
export type { CodegenNote } from './read-methods'
export type { DiscoveredDocument } from './openrpc-types'
