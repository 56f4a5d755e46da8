import { writeFile } from 'node:fs/promises'
import { analyzeDocument, checkInterfaceName, loadCompiler, renderModule } from '../codegen'
import { EXIT_RESULT, EXIT_USAGE } from './exit-status'
import { UsageError } from './parse-command'
import {
  EXIT_HELP, parseDocumentCommand, readDocument, reportFailure, reportNotes, SOURCE_HELP, sourceName, type DocumentCommandIo
} from './document-source'

export const TYPES_USAGE = `Usage: fastify-jsonrpc types URL|FILE [-o FILE] [--name NAME] [options]

Writes a TypeScript module with the types of a JSON-RPC server's methods,
read from its OpenRPC document: from rpc.discover at URL, or from FILE ("-"
reads standard input). Use it with the client:
  const api = client.proxy<Api>()       the methods that answer
  client.notifier<ApiNotifications>()   the notifications, if there are any

  fastify-jsonrpc types http://127.0.0.1:3000/rpc -o src/api.ts

Options:
  -o, --out FILE        Write the module to FILE (default: standard output)
  --name NAME           The interface's name (default Api); the notifications'
                          is NAME + Notifications
  --strict              Fail (exit 5) when a part of a schema cannot be typed,
                          instead of typing it unknown with a warning
${SOURCE_HELP}

Needs json-schema-to-typescript: npm install --save-dev json-schema-to-typescript

${EXIT_HELP}
`

const TYPES_OPTIONS = {
  out: { type: 'string', short: 'o' },
  name: { type: 'string' },
  strict: { type: 'boolean' }
} as const

/** `fastify-jsonrpc types ...argv`; resolves to the exit status. */
export async function runTypesCommand (argv: readonly string[], io: DocumentCommandIo): Promise<number> {
  try {
    const { help, values, source } = parseDocumentCommand(argv, TYPES_OPTIONS, 'types')
    if (help || source === undefined) {
      io.out(TYPES_USAGE.trimEnd())
      return EXIT_RESULT
    }
    const { out, strict } = values as { out?: string, strict?: boolean }
    const name = (values as { name?: string }).name ?? 'Api'
    checkInterfaceName(name)
    if (out === '') throw new UsageError('-o needs a file name')
    // Checked before the server is asked: a missing library is no reason to call it.
    const compile = await loadCompiler()
    const document = await readDocument(source, io)
    const typed = await analyzeDocument(document, { source: sourceName(source.source), strict, compile })
    const command = `fastify-jsonrpc types${name === 'Api' ? '' : ` --name ${name}`}`
    const text = renderModule(typed, { name, command })
    reportNotes(typed.notes, io)
    if (out === undefined) {
      io.out(text.trimEnd())
      return EXIT_RESULT
    }
    try {
      await writeFile(out, text)
    } catch (error) {
      io.err(`fastify-jsonrpc types: cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`)
      return EXIT_USAGE
    }
    const calls = typed.methods.filter(method => method.result !== undefined && !method.method.byNameOnly).length
    const notifications = typed.methods.filter(method => method.result === undefined && !method.method.byNameOnly).length
    io.out(`wrote ${out}: ${name} with ${calls} method${calls === 1 ? '' : 's'}` +
      (notifications > 0 ? `, ${name}Notifications with ${notifications}` : '') +
      `, ${typed.declaredNames.size} named type${typed.declaredNames.size === 1 ? '' : 's'}`)
    return EXIT_RESULT
  } catch (error) {
    return reportFailure(error, 'types', io)
  }
}
