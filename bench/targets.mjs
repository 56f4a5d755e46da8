// Issue 16's targets, as bounds on ours / peer of the median server CPU per
// request in one run (a ratio under 1 means this project spends less).

const SINGLE_CALLS = new Set(['single-positional', 'single-by-name'])
/** Where the issue asks for at least 1.2x less CPU than jayson and json-rpc-2.0. */
const MUST_BE_CHEAPER = new Set(['batch-10', 'batch-100', 'items-100', 'validated-object'])

/** Every goal, in the order the report states them. */
export const GOALS = {
  handSingle: { max: 1.03, says: 'at most 1.03x the hand-written route on single calls' },
  handOther: { max: 1.05, says: 'at most 1.05x the hand-written route on every other workload' },
  peersNeverMore: { max: 1, says: 'never more CPU than jayson or json-rpc-2.0' },
  peersCheaper: { max: 1 / 1.2, says: 'at least 1.2x less CPU than jayson and json-rpc-2.0 on batches, large results and validated params' },
  trpc: { max: 1 / 5, says: 'at least 5x less CPU than tRPC' },
  rss: { max: 1.2, says: 'peak RSS over the run at most 1.2x the hand-written route' }
}
export const RSS_GOAL = GOALS.rss

/** The goal for ours / peer on a workload: the largest ratio that meets it, with its wording. */
export function goalFor (workloadKey, peerKey) {
  switch (peerKey) {
    case 'hand':
      return SINGLE_CALLS.has(workloadKey) ? GOALS.handSingle : GOALS.handOther
    case 'jayson':
    case 'jsonrpc2':
      return MUST_BE_CHEAPER.has(workloadKey) ? GOALS.peersCheaper : GOALS.peersNeverMore
    case 'trpc':
      return GOALS.trpc
    default:
      return undefined
  }
}
export const PEERS = ['hand', 'jayson', 'jsonrpc2', 'trpc']

/**
 * For each workload and peer: `{ ratio, max, met }`, or `{ na }` with the
 * reason (the peer cannot do the workload, or was not part of the run).
 */
export function evaluateTargets (run) {
  const rows = run.workloads.map(workload => {
    const ours = workload.cells.ours
    const cells = {}
    for (const peer of PEERS) {
      const theirs = workload.cells[peer]
      const goal = goalFor(workload.key, peer)
      if (ours === undefined) cells[peer] = { na: 'fastify-jsonrpc was not run' }
      else if (theirs === undefined) cells[peer] = { na: 'not run' }
      else if (theirs.unsupported !== undefined) cells[peer] = { na: theirs.unsupported }
      else {
        const ratio = ours.cpuMicrosPerRequest / theirs.cpuMicrosPerRequest
        cells[peer] = { ratio, max: goal.max, met: ratio <= goal.max }
      }
    }
    return { workload: workload.key, name: workload.name, cells }
  })
  const rss = run.peakRss.ours === undefined || run.peakRss.hand === undefined
    ? { na: 'needs fastify-jsonrpc and the hand-written route in the run' }
    : { ratio: run.peakRss.ours / run.peakRss.hand, max: RSS_GOAL.max, met: run.peakRss.ours / run.peakRss.hand <= RSS_GOAL.max }
  return { rows, rss }
}
