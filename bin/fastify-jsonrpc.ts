#!/usr/bin/env node
/** The `fastify-jsonrpc` command: `fastify-jsonrpc call URL METHOD [ARG...]`. */
import { readFile } from 'node:fs/promises'
import { runCommand } from './run-command'

async function readInput (path: string): Promise<string> {
  if (path !== '-') return await readFile(path, 'utf8')
  let text = ''
  process.stdin.setEncoding('utf8')
  for await (const chunk of process.stdin) text += chunk as string
  return text
}

runCommand(process.argv.slice(2), {
  out: line => { process.stdout.write(line + '\n') },
  err: line => { process.stderr.write(line + '\n') },
  readFile: readInput
}).then(
  status => { process.exitCode = status },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 70
  }
)
