import { buildDemoApp } from './app'

const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 3000)
const level = process.env.LOG_LEVEL ?? 'info'

async function main (): Promise<void> {
  const app = await buildDemoApp({ logger: { level } })
  await app.listen({ host, port })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
