import ts from 'typescript'
import { test } from 'tap'
import { analyzeDocument, CodegenError, loadCompiler, renderModule, renderTable, type TypedDocument } from '../codegen'

/** A minimal valid OpenRPC document around the given methods and components. */
function documentWith (methods: unknown[], components?: unknown): Record<string, unknown> {
  return { openrpc: '1.3.2', info: { title: 'Test API', version: '1.0.0' }, methods, ...(components === undefined ? {} : { components }) }
}

async function analyze (document: unknown, strict = false): Promise<TypedDocument> {
  return await analyzeDocument(document, { source: 'test.json', strict, compile: await loadCompiler() })
}

async function generate (document: unknown): Promise<{ text: string, typed: TypedDocument }> {
  const typed = await analyze(document)
  return { text: renderModule(typed, { name: 'Api', command: 'fastify-jsonrpc types' }), typed }
}

/**
 * What TypeScript makes of a generated module: its syntax errors, and the
 * JavaScript it compiles to. A module of types only compiles to nothing but
 * the CommonJS preamble; any code a document smuggled in would show there.
 */
function compileModule (text: string): { diagnostics: string[], javascript: string } {
  const output = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, removeComments: true }, reportDiagnostics: true })
  return {
    diagnostics: (output.diagnostics ?? []).map(diagnostic => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
    javascript: output.outputText
  }
}

const TYPES_ONLY_JAVASCRIPT = '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'

test('notifications (no result) get their own interface; params by name only are left out and said so', async t => {
  const { text, typed } = await generate(documentWith([
    { name: 'add', params: [{ name: 'a', schema: { type: 'number' }, required: true }], result: { name: 'sum', schema: { type: 'number' } } },
    { name: 'log', summary: 'Writes a line.', params: [{ name: 'line', schema: { type: 'string' }, required: true }] },
    { name: 'configure', paramStructure: 'by-name', params: [{ name: 'level', schema: { type: 'string' }, required: true }], result: { name: 'ok', schema: { type: 'boolean' } } }
  ]))
  t.match(text, /export interface Api \{\n {2}add\(a: number\): number\n\}/)
  t.match(text, /export interface ApiNotifications \{\n {2}\/\*\*\n {3}\* Writes a line\.\n {3}\*\/\n {2}log\(line: string\): void\n\}/)
  t.match(text, / \* - configure: takes its params by name only, which a proxy \(sending them by position\) cannot; call it with client\.call\("configure", \{ \.\.\. \}\)/)
  t.notMatch(text, /^\s+configure\(/m)
  t.same(compileModule(text), { diagnostics: [], javascript: TYPES_ONLY_JAVASCRIPT })
  const table = renderTable(typed)
  t.same(table, [
    'Test API 1.0.0 (OpenRPC 1.3.2): 3 methods',
    '',
    'SIGNATURE                                        SUMMARY',
    'add(a: number): number',
    'log(line: string): void                          (notification) Writes a line.',
    'configure(params: { "level": string }): boolean  (params by name only)'
  ])
})

/** A document written to break out of the generated file: comment terminators, library keywords, bidi controls, odd names. */
function hostileDocument (): Record<string, unknown> {
  const properties = JSON.parse('{"__proto__": {"type": "string"}, "a\\"b": {"type": "number", "description": "*/ x"}, "\\u202ekey": {"enum": ["x*/y", "a\\u2028b"]}}')
  return documentWith([
    {
      name: 'a*/b',
      summary: 'x */ process.exit(1) /* \u001b[31m red',
      params: [
        { name: 'first-name', schema: { type: 'string', tsType: 'string; declare const pwned: 1', description: 'nested */ evil' }, required: true },
        { name: 'class', schema: { type: 'object', properties, tsEnumNames: ['A'] }, required: false },
        { name: 'class', schema: { type: 'integer' }, required: true }
      ],
      result: { name: 'r', schema: { title: 'X */ Y', type: 'object', properties: { z: { type: 'string', tsType: '1; process.exit(1)' } } } }
    },
    { name: 'then', params: [], result: { name: 'r', schema: { type: 'string' } } }
  ])
}

test('a hostile document cannot write code into the module: it compiles to no JavaScript at all', async t => {
  const { text, typed } = await generate(hostileDocument())
  t.same(compileModule(text), { diagnostics: [], javascript: TYPES_ONLY_JAVASCRIPT }, 'a module of types only, whatever the document held')
  t.notMatch(text, /pwned|process\.exit\(1\)\s*$/m, 'the library\'s own keywords (tsType) are never taken from the document')
  t.notMatch(text, /[\u0000-\u0009\u000b-\u001f\u202e\u2028]/, 'no control or bidi character is written as it is')
  t.ok(text.includes('"\\u202ekey"?: ("x*/y" | "a\\u2028b")'), 'an odd property name and enum values are escaped string literals')
  t.ok(text.includes(' * x *\\/ process.exit(1) /* [31m red'), 'a summary cannot close its comment')
  t.ok(text.includes('  "a*/b"(first_name: string, class_: {'), 'an odd method name is a string literal; params get names TypeScript takes')
  t.ok(text.includes('} | undefined, class_2: number): XY'), 'an optional param before a required one takes undefined; duplicate names are made unique')
  t.ok(text.includes(' * @param first_name (sent as "first-name") nested *\\/ evil'))
  t.ok(text.includes('  then(): string') && text.includes('@remarks client.proxy() does not call a method named "then": use client.call'))
  t.same(typed.notes, [], 'nothing here is untyped')
})

test('unsupported parts become unknown with a comment and a note; --strict refuses them instead', async t => {
  const document = documentWith([
    {
      name: 'fetch',
      params: [
        { name: 'where', schema: { $ref: 'https://example.com/location.json' }, required: true },
        { $ref: '#/components/contentDescriptors/Missing' }
      ],
      result: { name: 'page', schema: { type: 'object', properties: { body: { $ref: '#/components/schemas/Nope' }, title: { $ref: '#/components/schemas/Page/properties/title' }, bad: { $ref: '#/components/schemas/%E0%A4%A' }, deep: JSON.parse('{"items":'.repeat(70) + '{}' + '}'.repeat(70)) } } }
    },
    { $ref: '#/components/methods/elsewhere' }
  ], { schemas: { Page: { type: 'string' } } })
  const { text, typed } = await generate(document)
  t.same(typed.notes.map(note => note.where), [
    'method "fetch", param 2',
    'methods[1]',
    'method "fetch", param "where"',
    'method "fetch", result.properties["body"]',
    'method "fetch", result.properties["bad"]',
    'method "fetch", result.properties["deep"]' + '.items'.repeat(64),
    'method "fetch", result.properties["title"]'
  ])
  t.equal(typed.notes[1]?.reason, 'a method given by reference ("#/components/methods/elsewhere") is left out: OpenRPC has no place to define it')
  t.equal(typed.notes[6]?.reason, '$ref "#/components/schemas/Page/properties/title" points to nothing in components.schemas; typed unknown')
  t.match(typed.notes[2]?.reason, /^\$ref "https:\/\/example\.com\/location\.json" is not one of the document's components\.schemas; typed unknown$/)
  t.ok(text.includes('   * @param where (not typed: $ref "https://example.com/location.json" is not one of the document\'s components.schemas)'))
  t.ok(text.includes('  fetch(where: unknown, param2?: unknown): {'))
  t.ok(text.includes('     * Not typed: $ref "#/components/schemas/Nope" is not one of the document\'s components.schemas\n     */\n    body?: unknown'))
  t.same(compileModule(text).diagnostics, [])

  const refused = await analyze(document, true).then(() => undefined, (error: unknown) => error)
  t.ok(refused instanceof CodegenError)
  t.equal((refused as CodegenError).kind, 'inexpressible')
  t.equal((refused as CodegenError).message, 'test.json has parts TypeScript cannot express (without --strict they are typed unknown)')
  t.equal((refused as CodegenError).details.length, 7, 'every part is listed')
})

test('references: components by pointer and by $id, inside a component relative to it, recursive types, content descriptors', async t => {
  const { text, typed } = await generate(documentWith([
    { name: 'grow', params: [{ name: 'root', schema: { $ref: '#/components/schemas/Tree' }, required: true }], result: { name: 'r', schema: { $ref: 'urn:leaf#/properties/label' } } },
    { name: 'byId', params: [{ $ref: '#/components/contentDescriptors/Id' }], result: { $ref: '#/components/contentDescriptors/Id' } },
    { name: 'odd', params: [], result: { name: 'r', schema: { $ref: '#/components/schemas/odd%20key' } } }
  ], {
    schemas: {
      Tree: { type: 'object', properties: { value: { type: 'number' }, children: { type: 'array', items: { $ref: '#/components/schemas/Tree' } }, leaf: { $ref: 'urn:leaf' } }, required: ['value'] },
      Leaf: { $id: 'urn:leaf', type: 'object', properties: { label: { type: 'string', title: 'Label' }, self: { $ref: '#' } }, required: ['label'] },
      'odd key': { type: 'boolean' }
    },
    contentDescriptors: { Id: { name: 'id', schema: { type: 'integer' }, required: true } }
  }))
  t.same(typed.notes, [])
  t.match(text, /export interface Tree \{\n {2}value: number\n {2}children\?: Tree\[\]\n {2}leaf\?: Leaf\n\}/)
  t.match(text, /export interface Leaf \{\n {2}label: Label\n {2}self\?: Leaf\n\}/)
  t.match(text, /export type Label = string/)
  t.match(text, /export type OddKey = boolean/, 'a key that is no identifier still names its type')
  t.ok(text.includes('  grow(root: Tree): Label\n  byId(id: number): number\n  odd(): OddKey\n'))
  t.same(compileModule(text).diagnostics, [])
})

test('the document is checked: not OpenRPC, fails the meta-schema, a method named twice', async t => {
  const failure = async (value: unknown): Promise<CodegenError> => await analyze(value).then(() => { throw new Error('accepted') }, (error: CodegenError) => error)
  const notOpenRpc = await failure({ jsonrpc: '2.0', result: 'pong' })
  t.equal(notOpenRpc.kind, 'not-openrpc')
  t.equal(notOpenRpc.message, 'test.json is not an OpenRPC document: it has no "openrpc" version field')
  const invalid = await failure({ openrpc: '1.3.2', info: { title: 'x' }, methods: [{ name: 'a', params: [{ schema: {} }] }] })
  t.equal(invalid.kind, 'not-openrpc')
  t.equal(invalid.message, 'test.json is not a valid OpenRPC document (checked against the OpenRPC meta-schema)')
  t.ok(invalid.details.length > 0 && invalid.details.length <= 5, 'the first few problems, not hundreds')
  const twice = await failure(documentWith([{ name: 'a', params: [] }, { name: 'a', params: [] }]))
  t.equal(twice.message, 'test.json names the method "a" twice')
})

test('the interface name must be an identifier the schemas do not use already', async t => {
  const typed = await analyze(documentWith([{ name: 'a', params: [], result: { name: 'r', schema: { $ref: '#/components/schemas/Api' } } }], { schemas: { Api: { type: 'string' } } }))
  t.throws(() => renderModule(typed, { name: 'Api', command: 'x' }), { name: 'CodegenError', kind: 'bad-option', message: 'the document\'s schemas already declare a type named Api: choose another --name' })
  t.throws(() => renderModule(typed, { name: 'my-api', command: 'x' }), { kind: 'bad-option', message: '--name must be a TypeScript identifier; got "my-api"' })
  t.match(renderModule(typed, { name: 'Remote', command: 'x' }), /export type Api = string[\s\S]*export interface Remote \{\n {2}a\(\): Api\n\}/)
})

test('without json-schema-to-typescript, the generator says how to install it', async t => {
  await t.rejects(loadCompiler('json-schema-to-typescript-not-installed'), {
    name: 'CodegenError',
    kind: 'missing-generator',
    message: 'generating types needs the json-schema-to-typescript-not-installed package, an optional peer dependency: npm install --save-dev json-schema-to-typescript-not-installed'
  })
})
