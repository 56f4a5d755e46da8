// The page imports the browser build of RpcClient that is served beside it
// (`./client.mjs`, bundled from client/index.ts); its types are the client's own.
export * from '../../dist/client/index.js'
