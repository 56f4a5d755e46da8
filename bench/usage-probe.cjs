'use strict'
// Preloaded into every benchmark server (node -r) by bench/server-process.mjs:
// answers the harness's usage request over the IPC channel with the process's
// CPU time so far (user + system, all threads, in microseconds), its resident
// set size and the peak resident set size of its life. The servers themselves
// know nothing of it, so every server is measured the same way.
process.on('message', message => {
  if (message === null || typeof message !== 'object' || message.type !== 'usage') return
  const { user, system } = process.cpuUsage()
  process.send({
    type: 'usage',
    id: message.id,
    cpuMicros: user + system,
    rss: process.memoryUsage.rss(),
    // resourceUsage() gives kilobytes (getrusage's ru_maxrss on Linux).
    peakRss: process.resourceUsage().maxRSS * 1024
  })
})

// A server whose benchmark died (killed, crashed) must not stay behind listening.
process.once('disconnect', () => process.exit(0))
