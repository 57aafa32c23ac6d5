// ESLint flat config (`npm run lint`; `npm test` runs it before vitest).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Temporal TypeScript samples' workflow-sandbox rule: workflow code runs in a deterministic V8 isolate
// without Node's built-in modules, so importing one (as `x` or `node:x`) breaks the workflow bundle or,
// worse, its determinism. The samples allow only 'assert'.
const ALLOWED_NODE_BUILTINS = new Set(['assert']);
const SANDBOX_FORBIDDEN_BUILTINS = builtinModules
  .filter((m) => !ALLOWED_NODE_BUILTINS.has(m))
  .flatMap((m) => [m, `node:${m}`]);

// Folders whose runtime code must stay out of the workflow bundle: activities (they run on the worker) and
// the libraries behind them (I/O, DuckDB, BigQuery, zstd, HTTP, ...). Workflows may still import their
// *types* (e.g. `import type { PipelineActivities } from '../activities/...'` for proxyActivities).
const SANDBOX_FORBIDDEN_FOLDERS = [
  'activities',
  'databento',
  'dbn',
  'warehouse',
  'chunk-store',
  'features',
  'forecast',
  'fred',
  'futures',
  'quality',
  'recordings',
];

const TEST_FILES = ['**/*.test.ts', 'test/**'];

/** max-lines-per-function counting only lines of code (blank lines and comments are free). */
const maxLines = (max) => ['error', { max, skipBlankLines: true, skipComments: true, IIFEs: true }];

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      '.tools/',
      '.data/',
      'dist/',
      'docs/',
      'test/histories/',
      // also git-ignored scratch output
      'coverage/',
      'tmp/',
      '.scratch/',
    ],
  },

  // an `eslint-disable` comment that no longer suppresses anything fails the lint
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  // The recommended sets (not strict, not stylistic). No rule of theirs is turned off: at adoption they found
  // only real problems (an unused `a?.() ?? b()` expression, useless initial assignments, rethrows without
  // `cause`), and there is no `any` in the code to excuse.
  js.configs.recommended,
  tseslint.configs.recommended,

  // Type-aware rules for the TypeScript sources. Every linted .ts file must be in tsconfig.json's "include"
  // (the project service answers "was not found by the project service" otherwise).
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An un-awaited promise in a workflow or activity is a silently lost error (or, in a workflow, a
      // command issued out of order). Deliberate fire-and-forget is written `void promise` with a reason.
      '@typescript-eslint/no-floating-promises': 'error',
      // `import type` for type-only imports: they are erased by tsx/esbuild (isolatedModules) and, in
      // workflows, keep activity/library modules out of the sandbox bundle. Autofixed by `eslint --fix`.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      // Unused bindings are errors, except deliberately ignored ones named with a leading `_` (callback
      // parameters kept for position, destructuring used to omit a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // Function length: 80 lines of code (blank lines and comments not counted) for non-test sources; tests
  // (long table-driven cases, one `describe` holding many `it`s) are exempt.
  {
    files: ['**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'max-lines-per-function': maxLines(80),
    },
  },
  // dbn/: the byte-level DBN decoders and renderers (metadata, ohlcv-fast, ohlcv-csv-bytes, render-csv,
  // render-json) are each one function whose closures share a cursor into the buffer, with the per-record loop
  // inline on purpose (bench:decode measures it); splitting them means threading the cursor through helpers.
  // 5 of its 26 files exceed 80 (longest 109 lines).
  {
    files: ['dbn/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'max-lines-per-function': maxLines(120),
    },
  },
  // Three single-pass kernels, each one loop over all bars with its state in locals: parseOhlcvCsv (a byte
  // cursor shared by its field parsers, 191 lines), validateOhlcvChunk (every rule's tally in one pass plus the
  // per-series gap pass, 171) and buildFrontMonth (contracts → session volumes → front per session → segments
  // → rolls, 191). Every other function in these folders stays within 80.
  {
    files: ['recordings/parse-ohlcv-csv.ts', 'quality/validate-ohlcv-chunk.ts', 'futures/rolls.ts'],
    rules: {
      'max-lines-per-function': maxLines(200),
    },
  },

  // Workflow sandbox: workflows/ and domain/ are bundled into the workflow isolate (tests are not).
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': ['error', ...SANDBOX_FORBIDDEN_BUILTINS],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: SANDBOX_FORBIDDEN_FOLDERS.flatMap((dir) => [`**/${dir}`, `**/${dir}/**`]),
              allowTypeImports: true,
              message:
                'Workflow-sandbox code (workflows/, domain/) may import only types from activities/ and the I/O libraries: use `import type`.',
            },
          ],
        },
      ],
    },
  },

  {
    // the gateway and the CLI are built on the libraries; activities are what a worker registers
    files: ['gateway/**/*.ts', 'cli/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/activities', '**/activities/**'], message: 'gateway/ and cli/ import the libraries, never activities/.' }] },
      ],
    },
  },
);
