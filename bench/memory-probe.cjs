'use strict'
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
  process.send({ type: 'memory-probe', id: message.id, rss, heapUsed, heapTotal, external })
})
