'use strict'
const v8 = require('node:v8')
// Preloaded into the demo server by bench/soak.mjs only (node -r): answers a
// memory request from the soak driver over the IPC channel, after a full GC
// when node runs with --expose-gc, so heap figures compare live data rather
// than garbage not yet collected. The demo itself knows nothing of it.
process.on('message', message => {
  if (message === null || typeof message !== 'object' || message.type !== 'memory-probe') return
  if (typeof globalThis.gc === 'function') {
    globalThis.gc()
    globalThis.gc()
  }
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
  // heapTotal also counts the young generation, which V8 enlarges under allocation pressure (up to a fixed cap).
  const newSpace = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space')?.space_size ?? 0
  process.send({ type: 'memory-probe', id: message.id, rss, heapUsed, heapTotal, newSpace, external })
})
