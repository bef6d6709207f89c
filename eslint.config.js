// Process boundaries as lint rules (as Signal Desktop does): a wrong import fails CI, not review.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nativeOrElectron = ['electron', 'electron/*', 'better-sqlite3', 'electron-log', 'electron-log/*'];
const serverLibs = ['fastify', '@fastify/*', 'pg', '@electric-sql/pglite', 'tsx', 'tsx/*'];
const domGlobals = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location', 'HTMLElement'].map(
  (name) => ({
    name,
    message: 'shared/ and the Node side must not touch the DOM',
  }),
);

const restrict = (paths, patterns, message) => ({
  'no-restricted-imports': [
    'error',
    { paths: paths.map((name) => ({ name, message })), patterns: [{ group: patterns, message }] },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.data/**',
      'test-results/**',
      'playwright-report/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // A function a reader cannot take in at a glance is asking to be split along a real seam.
    files: ['electron/**/*.ts', 'central/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['shared/**'],
    ignores: ['shared/node/**'],
    rules: {
      ...restrict(
        [...nodeBuiltins, ...nativeOrElectron, ...serverLibs, 'react', 'react-dom'],
        ['../electron/*', '../renderer/*', '../central/*', 'node:*'],
        'shared/ is imported by both processes: no node:*, DOM, electron or native modules',
      ),
      'no-restricted-globals': [
        'error',
        ...domGlobals,
        { name: 'process', message: 'shared/ runs in the renderer too' },
        { name: 'Buffer', message: 'shared/ runs in the renderer too' },
      ],
    },
  },
  {
    files: ['electron/core/**', 'electron/host/**', 'electron/cli/**'],
    rules: {
      ...restrict(
        ['electron', 'react', 'react-dom'],
        ['electron/*', '**/renderer/*', '**/shell/*'],
        'the kiosk core is plain Node: only electron/shell may import electron',
      ),
      'no-restricted-globals': ['error', ...domGlobals],
    },
  },
  {
    files: ['electron/core/**'],
    rules: restrict(
      ['electron', 'react', 'react-dom', 'fastify'],
      ['electron/*', '**/renderer/*', '**/shell/*', '**/host/*', '**/cli/*'],
      'the core knows nothing of its hosts',
    ),
  },
  {
    // The sync engine sits below the core: it reaches the kiosk only through a SyncHost (sync/host.ts);
    // hostFromCore lives next to the core (electron/core/sync-host.ts). Repeats the core's rule, which
    // this one replaces for these files.
    files: ['electron/core/sync/**'],
    rules: restrict(
      ['electron', 'react', 'react-dom', 'fastify'],
      [
        'electron/*',
        '**/renderer/*',
        '**/shell/*',
        '**/host/*',
        '**/cli/*',
        '**/kiosk-core.ts',
        '**/sync-host.ts',
        '**/admin/*',
      ],
      'the sync engine knows nothing of its hosts, the kiosk core or the admin panel: it gets a SyncHost',
    ),
  },
  {
    // shared/node/: code the kiosk core and the central service share (signing, gzip); Node only.
    files: ['shared/node/**'],
    rules: {
      ...restrict(
        [...nativeOrElectron, ...serverLibs, 'react', 'react-dom'],
        ['../../electron/*', '../../renderer/*', '../../central/*'],
        'shared/node/ serves the kiosk core and central alike: node:* only',
      ),
      'no-restricted-globals': ['error', ...domGlobals],
    },
  },
  {
    files: ['renderer/**'],
    rules: restrict(
      [...nodeBuiltins, ...nativeOrElectron, ...serverLibs],
      ['**/electron/*', '**/central/*', '**/shared/node/*', 'node:*'],
      'the renderer is a sandboxed web page: it reaches the core only through KioskApi',
    ),
  },
  {
    files: ['central/**'],
    rules: restrict(
      ['electron', 'react', 'react-dom', 'better-sqlite3'],
      ['**/electron/*', '**/renderer/*'],
      'the central service shares only shared/ with the kiosk',
    ),
  },
);
