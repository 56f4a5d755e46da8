// Lint in the code's own style (neostandard: no semicolons, two spaces, single
// quotes). Import circles, type-only ones included, and the phase rules are
// dependency-cruiser's job (.dependency-cruiser.cjs): both run in `npm run lint`.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tap/**', 'esm/**/*.d.mts', 'test/fixtures/expected/**']
  }),
  {
    rules: {
      // `void promise` marks a promise deliberately not awaited (and `void x` an unused value in type tests).
      'no-void': ['error', { allowAsStatement: true }],
      // The terminal and codegen escapers match control characters on purpose.
      'no-control-regex': 'off',
      // A closure flag set by a callback is what these loops wait for.
      'no-unmodified-loop-condition': 'off'
    }
  }
]
