/**
 * ESLint flat config: typescript-eslint + eslint-plugin-svelte, globals per folder, and the
 * architecture boundaries of design/ARCHITECTURE.md as import rules whose messages say why.
 * Layout is Prettier's (.prettierrc.json, 110 columns): `npm run lint` runs `prettier --check .` after
 * ESLint and `npm run format` rewrites the tree.
 */
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Import patterns are gitignore-style and matched against the raw import string, so they have to
// catch relative paths from any depth ('../app/x', '../../app/state/y') as well as a bare '../app'.
const folder = (name) => [`**/${name}`, `**/${name}/**`];

const IDB = {
  name: 'idb',
  message: 'Only src/storage touches IndexedDB/OPFS: import a store function from src/storage instead.',
};

const PURE_ENGINE =
  'src/engine is pure TS that runs in the workers and in Node tests (tsconfig.engine.json): browser-only code lives in src/workers (media worker) or src/browser (page and workers), Node-only code in tools/ or tests/; hand the engine what it needs as an interface.';

const NO_APP = {
  group: folder('app'),
  message:
    'src/app is the DOM/Svelte UI; nothing below it may depend on it. Pass data or callbacks down instead.',
};

export default defineConfig(
  globalIgnores([
    'dist/',
    'node_modules/',
    // Generated model packs (tools/make-demo-packs.ts); registry.json stays under version control.
    'public/models/*/',
    'test-results/',
    'playwright-report/',
    'bench-results/',
  ]),

  tseslint.configs.recommended,
  svelte.configs.recommended,
  {
    name: 'webgp/svelte-typescript',
    // .svelte components (<script lang="ts">) and rune modules (*.svelte.ts) go through
    // svelte-eslint-parser, which hands the script to the TypeScript parser.
    // Note: svelte/prefer-svelte-reactivity reports every `new Date()` inside an exported class
    // of a *.svelte.ts module, even a local timestamp that is never mutated nor kept in $state.
    // Such a line carries an inline disable with that reason rather than turning the rule off.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    name: 'webgp/typescript',
    rules: {
      // `_`-prefixed names mark parameters a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // With verbatimModuleSyntax, `import { type X } from 'm'` compiles to `import 'm'`, which
      // would load the module for its side effects (e.g. run a worker entry on the main thread).
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },

  // Globals per side: where the code runs (ARCHITECTURE.md, "Where code runs decides where it lives").
  {
    name: 'webgp/globals-browser',
    files: ['src/app/**', 'src/storage/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    name: 'webgp/globals-worker',
    // src/browser runs on the page and in workers alike, so it gets only what a worker has.
    files: ['src/workers/**', 'src/browser/**'],
    languageOptions: { globals: globals.worker },
  },
  {
    name: 'webgp/globals-engine',
    files: ['src/engine/**'],
    languageOptions: { globals: globals['shared-node-browser'] },
    rules: {
      // tsc -p tsconfig.engine.json already refuses DOM/WebWorker names; these are the ones it cannot
      // see: globals @types/node declares that browsers lack, and the browser ones it shares a name with.
      'no-restricted-globals': [
        'error',
        ...[
          ...['self', 'window', 'document', 'navigator', 'location', 'indexedDB', 'caches', 'localStorage'],
          ...['process', 'Buffer', 'global', 'require', 'module', '__dirname', '__filename', 'setImmediate'],
        ].map((name) => ({ name, message: PURE_ENGINE })),
      ],
    },
  },
  {
    name: 'webgp/globals-node',
    files: ['tools/**', 'tests/**', 'e2e/**', 'src/cli/**', 'bin/**', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },

  {
    name: 'webgp/one-canvas-png',
    // STYLE.md 14, one helper per idea: every canvas → PNG goes through src/browser/canvas-png.ts.
    files: ['src/**'],
    ignores: ['src/browser/canvas-png.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['convertToBlob', 'toBlob', 'toDataURL'].map((property) => ({
          property,
          message:
            'Encode canvases through src/browser/canvas-png.ts (canvasPng, rgbaPng, canvasPngDataUrl).',
        })),
      ],
    },
  },

  // Boundaries (ARCHITECTURE.md, "Boundaries"). A later `no-restricted-imports` for the same files
  // replaces an earlier one rather than merging, so each folder block repeats the idb rule.
  {
    name: 'webgp/boundaries-idb',
    // Unit tests of src/storage legitimately reach under it: they seed raw records of other
    // versions and of the per-store databases earlier versions kept. The boundary protects shipped code, so tests are exempt.
    ignores: ['src/storage/**', 'tests/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [IDB] }] },
  },
  {
    name: 'webgp/boundaries-engine',
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            IDB,
            ...['comlink', 'mediabunny', ...builtinModules].map((name) => ({ name, message: PURE_ENGINE })),
            {
              name: 'svelte',
              message: 'src/engine is pure TS (runs in workers and Node tests): no Svelte runtime or runes.',
            },
          ],
          patterns: [
            NO_APP,
            {
              group: folder('storage'),
              message:
                'src/engine never imports src/storage: storage is handed in as an interface (PackSource, checkpoints) so the engine stays testable in Node.',
            },
            {
              group: folder('workers'),
              message:
                'src/workers are thin entries built FROM src/engine; the engine must not depend on them.',
            },
            { group: [...folder('browser'), '@ffmpeg/*', 'mediabunny/*', 'node:*'], message: PURE_ENGINE },
            {
              group: ['svelte/*'],
              message: 'src/engine is pure TS (runs in workers and Node tests): no Svelte runtime or runes.',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'webgp/boundaries-storage',
    files: ['src/storage/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_APP,
            {
              group: folder('workers'),
              message:
                'src/storage runs on the main thread beside the UI; worker entries are only reached through a bridge in src/app.',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'webgp/boundaries-browser',
    files: ['src/browser/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [IDB],
          patterns: [
            NO_APP,
            {
              group: [...folder('workers'), ...folder('storage')],
              message:
                'src/browser holds small helpers the page and the workers share; it depends only on src/engine and libraries.',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'webgp/boundaries-workers',
    files: ['src/workers/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [IDB], patterns: [NO_APP] }] },
  },
  {
    name: 'webgp/boundaries-app',
    files: ['src/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            IDB,
            {
              name: 'onnxruntime-web',
              message: 'ONNX Runtime lives in the engine worker; reach it through app/bridges/engine-bridge.',
            },
          ],
          patterns: [
            {
              group: ['@ffmpeg/*'],
              message: 'ffmpeg.wasm lives in the media worker; reach it through app/bridges/media-bridge.',
            },
          ],
        },
      ],
      // Type imports are erased; a value import would bundle the worker's runtime into the page.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: folder('workers'),
              allowTypeImports: true,
              message:
                'src/app may import only types from src/workers (`import type`); talk to a worker through its bridge in app/bridges.',
            },
          ],
        },
      ],
    },
  },
);
