// Builds what runs in a browser, after `tsc` has compiled the package:
// - dist/browser/client.mjs: RpcClient as one ES module a browser can import
//   (the package's own ESM entry re-exports CommonJS, which a browser cannot load);
// - dist/explorer/: the explorer page's HTML, CSS and icon beside the script
//   `tsc -p explorer` compiled there.
// esbuild is fine for the client: it has no decorators, so it needs no
// design:* metadata that only tsc emits.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const browserDir = join(root, 'dist', 'browser')
const explorerDir = join(root, 'dist', 'explorer')

await build({
  entryPoints: [join(root, 'client', 'index.ts')],
  outfile: join(browserDir, 'client.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: '// fastify-jsonrpc/browser: RpcClient bundled as one ES module for browsers (built from client/index.ts).' }
})
// Its types are the client's own.
writeFileSync(join(browserDir, 'client.d.mts'), "export * from '../client/index.js'\n")

mkdirSync(explorerDir, { recursive: true })
for (const file of ['index.html', 'explorer.css', 'favicon.svg']) {
  copyFileSync(join(root, 'explorer', file), join(explorerDir, file))
}
