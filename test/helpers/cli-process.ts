import { execFile } from 'node:child_process'
import { join } from 'node:path'

/** The built command (`npm test` builds before tap runs). */
export const COMMAND = join(__dirname, '..', '..', 'dist', 'bin', 'fastify-jsonrpc.js')

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `fastify-jsonrpc ...args` in its own process, as a user would; `input` goes to its standard input. */
export async function runCli (args: readonly string[], options: { input?: string, cwd?: string } = {}): Promise<CliRun> {
  return await new Promise(resolve => {
    const child = execFile(process.execPath, [COMMAND, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000, cwd: options.cwd }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, stdout, stderr })
    })
    child.stdin?.end(options.input ?? '')
  })
}

/** A Node stack trace line: what a user must never be shown for bad input. */
export const STACK_LINE = /^\s+at .+[(:]\d+/m
