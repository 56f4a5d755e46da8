import cluster from 'node:cluster'
import { runPrimary } from './cluster'
import { readDemoConfig } from './config'
import { serve } from './serve'

/** `npm start`: one server process, or with WORKERS=N a cluster of N workers sharing the port. */
async function main (): Promise<void> {
  const config = readDemoConfig()
  if (config.workers > 0 && cluster.isPrimary) runPrimary(config)
  else await serve(config)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
