/**
 * The default of the `maxInFlight` option: 32 full batches of
 * `batchConcurrency` (32) calls each. That is far more concurrency than a
 * small server turns into throughput, and few enough pending promises (with
 * their closures, buffers and sockets) that their memory stays in the tens of
 * MB; past it the server answers "Server busy" at once instead of slowing
 * every caller down.
 */
export const DEFAULT_MAX_IN_FLIGHT = 1024
