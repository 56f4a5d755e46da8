// The servers the benchmark compares. `key` is what `--servers` takes; the
// first is this project (telemetry on through the API, no SDK registered, as
// most apps run it), every ratio is ours / the other; `ours-notel` and
// `ours-otel` are this project with telemetry off and with the SDK on.
export const SERVERS = [
  { key: 'ours', label: 'fastify-jsonrpc', script: 'servers/ours.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'ours-notel', label: 'fastify-jsonrpc, telemetry: false', script: 'servers/ours-notel.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'ours-otel', label: 'fastify-jsonrpc, OpenTelemetry SDK + Prometheus exporter', script: 'servers/ours-otel.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'hand', label: 'hand-written Fastify route', script: 'servers/hand-written.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'jayson', label: 'jayson 5', script: 'servers/jayson.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'jsonrpc2', label: 'json-rpc-2.0 on Fastify', script: 'servers/json-rpc-2.0.mjs', protocol: 'jsonrpc', path: '/rpc' },
  { key: 'trpc', label: 'tRPC 11 on Fastify', script: 'servers/trpc.mjs', protocol: 'trpc' }
]
