// Compiled by test/tsconfig.client-browser.json (DOM types, no Node): the
// browser's own WebSocket class must fit the client's `WebSocket` option.
import { RpcClient, type RpcWebSocketConstructor } from '../../client'

const browserWebSocket: RpcWebSocketConstructor = WebSocket
export const client = new RpcClient('wss://example.test/rpc', { WebSocket: browserWebSocket })
