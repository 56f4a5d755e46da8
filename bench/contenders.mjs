// The servers the benchmark compares. `key` is what `--servers` takes; the
// first is this project, every ratio is ours / the other.
export const SERVERS = [
  { key: 'ours', label: 'fastify-jsonrpc', script: 'servers/ours.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'hand', label: 'hand-written Fastify route', script: 'servers/hand-written.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'jayson', label: 'jayson 5', script: 'servers/jayson.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'jsonrpc2', label: 'json-rpc-2.0 on Fastify', script: 'servers/json-rpc-2.0.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'trpc', label: 'tRPC 11 on Fastify', script: 'servers/trpc.mjs', protocol: 'trpc' }
]
