import http from 'node:http'
import { test } from 'tap'
import { listeningUrl, rpc, startDemo } from './fixtures/demo-process'

interface Sample { name: string, labels: Record<string, string>, value: number }

/** Parses the Prometheus text format: one sample per line that is not a comment. */
function parsePrometheus (text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2]
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

async function get (url: string): Promise<{ status: number, type: string | undefined, body: string }> {
  return await new Promise((resolve, reject) => {
    http.get(url, { timeout: 15_000 }, response => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { body += chunk })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }))
    }).on('error', reject)
  })
}

async function postRaw (url: string, text: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const request = http.request(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 15_000 }, response => {
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
    })
    request.on('error', reject)
    request.end(text)
  })
}

function value (samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find(sample => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value
}

test('the demo serves /metrics in Prometheus text: the hello histogram counts the calls just made, refused calls are counted', async t => {
  const demo = startDemo(t, {})
  const url = await listeningUrl(demo)
  for (const name of ['Ada', 'Bob', 'Cy']) {
    t.same((await rpc(url, { jsonrpc: '2.0', method: 'hello', params: [name], id: 1 })).body, { jsonrpc: '2.0', result: `Hello, ${name}`, id: 1 })
  }
  t.equal((await rpc(url, { jsonrpc: '2.0', method: 'no_such_method', id: 2 })).status, 404)
  // Over the demo's maxBatchSize (1000), and over its body limit (1 MiB).
  const call = { jsonrpc: '2.0', method: 'hello', params: ['x'], id: 3 }
  t.equal((await rpc(url, new Array(1001).fill(call))).status, 400)
  t.equal(await postRaw(url, JSON.stringify({ jsonrpc: '2.0', method: 'hello', params: ['x'.repeat(1024 * 1024 + 1)], id: 4 })), 413)

  const scrape = await get(`${url}/metrics`)
  t.equal(scrape.status, 200)
  t.match(scrape.type, /^text\/plain/)
  const samples = parsePrometheus(scrape.body)
  const hello = { rpc_system: 'jsonrpc', rpc_method: 'hello' }
  t.equal(value(samples, 'rpc_server_duration_count', hello), 3, 'three hello calls')
  t.equal(value(samples, 'rpc_server_duration_bucket', { ...hello, le: '+Inf' }), 3)
  t.ok((value(samples, 'rpc_server_duration_sum', hello) ?? -1) > 0)
  t.equal(value(samples, 'rpc_server_duration_count', { rpc_method: '_OTHER', rpc_jsonrpc_error_code: '-32601' }), 1)
  t.equal(value(samples, 'rpc_jsonrpc_refused_total', { rpc_jsonrpc_limit: 'batch_size' }), 1)
  t.equal(value(samples, 'rpc_jsonrpc_refused_total', { rpc_jsonrpc_limit: 'body_size' }), 1)
  t.equal(value(samples, 'rpc_jsonrpc_calls_in_flight', hello), 0)
})
