/**
 * The architecture's rules, checked by `npm run lint`. TypeScript's pre-compilation
 * dependencies count, so an `import type` circle is a circle too.
 * Phases: transports -> dispatch -> (what registration built, through contracts) -> protocol.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Dependencies run one way; a type two modules share lives in a module below both (plugin/contracts).',
      from: {},
      to: { circular: true }
    },
    {
      name: 'engine-without-fastify',
      severity: 'error',
      comment: 'The engine (dispatch) and what it reads (contracts, registration) know nothing of Fastify at run time.',
      from: { path: '^plugin/(dispatch|registration|decorators)/' },
      to: { path: '(^|/)node_modules/(fastify|@fastify)/', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'dispatch-reads-registration-products-only',
      severity: 'error',
      comment: 'Dispatch uses the method table through plugin/contracts, never the registration code itself.',
      from: { path: '^plugin/dispatch/' },
      to: { path: '^plugin/(registration|transports|decorators|telemetry)/' }
    },
    {
      name: 'opentelemetry-in-its-room',
      severity: 'error',
      comment: 'Only plugin/telemetry (and the demo) load @opentelemetry: the engine sees a CallObserver from plugin/contracts, and the API stays an optional peer.',
      from: { path: '^', pathNot: '^(plugin/telemetry|demo)/' },
      to: { path: '(^|/)node_modules/@opentelemetry/', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'registration-below-dispatch-and-transports',
      severity: 'error',
      from: { path: '^plugin/(registration|decorators|contracts)/' },
      to: { path: '^plugin/(dispatch|transports)/' }
    },
    {
      name: 'contracts-at-the-bottom',
      severity: 'error',
      from: { path: '^plugin/contracts/' },
      to: { path: '^plugin/(registration|decorators|dispatch|transports)/' }
    },
    {
      name: 'client-runs-in-browsers',
      severity: 'error',
      comment: 'client/ loads no server code and no Node-only module.',
      from: { path: '^client/' },
      to: { path: '^(plugin|bin|codegen|services|demo)/|^node:|(^|/)node_modules/(fastify|@fastify|ws)/', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'protocol-is-shared',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(plugin|client|bin|codegen)/' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|\\.tap)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs'] }
  }
}
