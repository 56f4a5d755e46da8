/** The seed's client-side transcript and a reader for lines in its format. */

/** `--> {json}` or `<-- {json} (STATUS REASON)`, split into its parts; throws on any other line. */
export function parseLine (line: string | undefined): { arrow: string, json: unknown, status: string | undefined } {
  const match = /^(-->|<--) (\{.*\}|\[.*\])(?: \((\d{3} [A-Za-z ]+)\))?$/.exec(line ?? '')
  if (match === null) throw new Error(`not a transcript line: ${JSON.stringify(line)}`)
  return { arrow: match[1] as string, json: JSON.parse(match[2] as string), status: match[3] }
}

/** The seed's transcript, its lines verbatim: what the client and `call` must reproduce against the demo server. */
export const SEED = `--> {"id": 1, "jsonrpc": "2.0", "method": "ping"}
<-- {"jsonrpc": "2.0", "result": "ping", "id": 1} (200 OK)
--> {"id": 2, "jsonrpc": "2.0", "method": "hao"}
<-- {"jsonrpc": "2.0", "result": "hao", "id": 2} (200 OK)
--> {"params": ["Nancy"], "id": 3, "jsonrpc": "2.0", "method": "hello"}
<-- {"jsonrpc": "2.0", "result": "Hello, Nancy", "id": 3} (200 OK)
--> {"params": [5, 7], "id": 4, "jsonrpc": "2.0", "method": "Sum"}
<-- {"jsonrpc": "2.0", "result": 12, "id": 4} (200 OK)
--> {"id": 5, "jsonrpc": "2.0", "method": "lid"}
<-- {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": 5} (404 Not Found)`

export function lines (text: string): string[] {
  return text.split('\n').filter(line => line !== '')
}
