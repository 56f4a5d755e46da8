#!/usr/bin/env node
/** The `fastify-jsonrpc` command: `fastify-jsonrpc call URL METHOD [ARG...]`. */
import { readFile } from 'node:fs/promises'
import { runCommand } from './run-command'
import { escapeForTerminal } from '../client/terminal-text'

async function readInput (path: string): Promise<string> {
  if (path !== '-') return await readFile(path, 'utf8')
  let text = ''
  process.stdin.setEncoding('utf8')
  for await (const chunk of process.stdin) text += chunk as string
  return text
}

// A reader that stops early (`fastify-jsonrpc list URL | head`) closes the pipe: that ends the
// command quietly, as it does for any Unix tool, instead of an unhandled EPIPE and a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

runCommand(process.argv.slice(2), {
  out: line => { process.stdout.write(line + '\n') },
  err: line => { process.stderr.write(line + '\n') },
  readFile: readInput
}).then(
  status => { process.exitCode = status },
  (error: unknown) => {
    // A bug of the command's own; its message may still quote the server, so it is escaped too.
    const text = error instanceof Error ? error.stack ?? String(error) : String(error)
    for (const line of text.split('\n')) process.stderr.write(escapeForTerminal(line) + '\n')
    process.exitCode = 70
  }
)
