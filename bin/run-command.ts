import { RpcClient, RpcError, RpcTransportError, type RpcClientOptions } from '../client'
import { parseBatchFile } from './batch-file'
import { EXIT_ERROR_RESPONSE, EXIT_RESULT, EXIT_TRANSPORT, EXIT_USAGE } from './exit-status'
import { runListCommand } from './list-command'
import { parseCommand, USAGE, UsageError, type Command } from './parse-command'
import { escapeForTerminal } from '../client/terminal-text'
import { runTypesCommand } from './types-command'

/** What the command touches outside itself, so that it can be run in-process too. */
export interface CommandIo {
  out: (line: string) => void
  err: (line: string) => void
  /** Reads a file, or standard input for "-". */
  readFile: (path: string) => Promise<string>
}

export { EXIT_RESULT, EXIT_ERROR_RESPONSE, EXIT_USAGE, EXIT_TRANSPORT } from './exit-status'

function describeRpcError (error: RpcError): string {
  const data = error.data === undefined ? '' : ` (data: ${JSON.stringify(error.data)})`
  return `${error.code} ${error.message}${data}`
}

function clientFor (command: Exclude<Command, { kind: 'help' }>, io: CommandIo, idGenerator?: RpcClientOptions['idGenerator']): RpcClient {
  return new RpcClient(command.url, {
    timeout: command.timeout,
    maxResponseBytes: command.maxResponseBytes,
    headers: command.headers,
    idGenerator,
    log: event => { io.out(event.line) }
  })
}

async function runBatch (command: Extract<Command, { kind: 'batch' }>, io: CommandIo): Promise<number> {
  const source = command.file === '-' ? 'standard input' : command.file
  let text: string
  try {
    text = await io.readFile(command.file)
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const entries = parseBatchFile(text, source)
  const batch = clientFor(command, io).batch()
  for (const entry of entries) {
    if (entry.id === undefined) batch.notifyWith(entry.method, entry.params)
    else batch.call(entry.method, entry.params, { id: entry.id })
  }
  const outcomes = await batch.send()
  let status = EXIT_RESULT
  for (const outcome of outcomes) {
    if (outcome.status !== 'error') continue
    io.err(`error in the call with id ${JSON.stringify(outcome.id)}: ${describeRpcError(outcome.error)}`)
    status = EXIT_ERROR_RESPONSE
  }
  return status
}

async function runCall (command: Extract<Command, { kind: 'call' }>, io: CommandIo): Promise<number> {
  const client = clientFor(command, io, () => command.id)
  if (command.notify) await client.notifyWith(command.method, command.params)
  else await client.call(command.method, command.params)
  return EXIT_RESULT
}

/**
 * Every line goes out escaped: answers, errors and log lines carry text from
 * the server, and a line printed is always one line.
 */
function escapingIo (io: CommandIo): CommandIo {
  return {
    out: line => { io.out(escapeForTerminal(line)) },
    err: line => { io.err(escapeForTerminal(line)) },
    readFile: io.readFile
  }
}

/** Runs `fastify-jsonrpc ...argv`; resolves to the exit status. */
export async function runCommand (argv: readonly string[], rawIo: CommandIo): Promise<number> {
  // `types` and `list` print many lines of their own and make every server string printable
  // themselves (codegen/source-text.ts, codegen/render-table.ts); escaping their output again
  // would turn the module's own line breaks into `\n`.
  if (argv[0] === 'types') return await runTypesCommand(argv.slice(1), rawIo)
  if (argv[0] === 'list') return await runListCommand(argv.slice(1), rawIo)
  const io = escapingIo(rawIo)
  try {
    const command = parseCommand(argv)
    if (command.kind === 'help') {
      for (const line of USAGE.trimEnd().split('\n')) io.out(line)
      return EXIT_RESULT
    }
    return command.kind === 'batch' ? await runBatch(command, io) : await runCall(command, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`fastify-jsonrpc: ${error.message}`)
      io.err('Run fastify-jsonrpc --help for the usage.')
      return EXIT_USAGE
    }
    if (error instanceof RpcError) {
      io.err(`error: ${describeRpcError(error)}`)
      return EXIT_ERROR_RESPONSE
    }
    if (error instanceof RpcTransportError) {
      io.err(`transport error (${error.kind}): ${error.message}`)
      return EXIT_TRANSPORT
    }
    if (error instanceof TypeError) {
      // The client's checks of what it is asked to send (an id, a method name).
      io.err(`fastify-jsonrpc: ${error.message}`)
      return EXIT_USAGE
    }
    throw error
  }
}
