// Lint in the code's own style (neostandard: no semicolons, two spaces, single
// quotes) plus one architectural rule: no import circle, type-only ones included.
import neostandard from 'neostandard'
import importX from 'eslint-plugin-import-x'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tap/**', 'esm/**/*.d.mts']
  }),
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.cjs'] } },
      'import-x/extensions': ['.ts', '.js', '.mjs']
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }]
    }
  }
]
