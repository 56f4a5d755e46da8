import { analyzeDocument, loadCompiler, renderTable } from '../codegen'
import { EXIT_RESULT } from './exit-status'
import {
  EXIT_HELP, parseDocumentCommand, readDocument, reportFailure, reportNotes, SOURCE_HELP, sourceName, type DocumentCommandIo
} from './document-source'

export const LIST_USAGE = `Usage: fastify-jsonrpc list URL|FILE [options]

Prints a table of a JSON-RPC server's methods, with their TypeScript
signatures (as \`fastify-jsonrpc types\` writes them) and summaries, read from
its OpenRPC document: from rpc.discover at URL, or from FILE ("-" reads
standard input).

  fastify-jsonrpc list http://127.0.0.1:3000/rpc

Options:
${SOURCE_HELP}

Needs json-schema-to-typescript: npm install --save-dev json-schema-to-typescript

${EXIT_HELP}
`

/** `fastify-jsonrpc list ...argv`; resolves to the exit status. */
export async function runListCommand (argv: readonly string[], io: DocumentCommandIo): Promise<number> {
  try {
    const { help, source } = parseDocumentCommand(argv, {}, 'list')
    if (help || source === undefined) {
      io.out(LIST_USAGE.trimEnd())
      return EXIT_RESULT
    }
    const compile = await loadCompiler()
    const document = await readDocument(source, io)
    const typed = await analyzeDocument(document, { source: sourceName(source.source), compile })
    for (const line of renderTable(typed)) io.out(line)
    reportNotes(typed.notes, io)
    return EXIT_RESULT
  } catch (error) {
    return reportFailure(error, 'list', io)
  }
}
