// ESLint flat config: typescript-eslint recommended, type-aware where it pays.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_VSCODE = { name: 'vscode', message: 'Only the VS Code client (client/) imports vscode.' };
const NO_CLIENT = { group: ['**/client/**'], message: 'Nothing outside client/ imports the VS Code client: use operations/ or the engine.' };
const NO_EDITOR_OR_OPERATIONS = {
  group: ['vscode-languageserver*', 'vscode-languageclient*', '**/operations/**', '**/lsp/**', '**/cli/**', '**/workspace/*'],
  message: 'The lint engine takes text and settings and returns findings: no editor, LSP, CLI or operations code, no disk access (server/src/workspace).',
};
const NO_LANGUAGE_SERVER = {
  group: ['vscode-languageserver*', '**/lsp/**'],
  message: 'Only the language server uses its LSP code: shared disk access lives in server/src/workspace.',
};
const NO_TESTS = {
  group: ['**/test/**', '**/bench/**'],
  message: 'Only tests import test/ and bench/ code: what the playground, the bench and the tests share lives in simulators/.',
};
const NO_CLI = { group: ['**/cli/**'], message: 'The simulators stand in for servers: no CLI code.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'scratch/**', '**/*.d.ts', 'test-output/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // The sample application the playground lints is in no tsconfig.
        projectService: { allowDefaultProject: ['playground/workspace/src/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // A default case covers the kinds a switch does not name (hundreds of parse-tree node kinds).
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'error',
    },
  },
  // Layers: only the VS Code client (client/) imports 'vscode', and nothing imports the client; the
  // operations library (operations/) is for the client and the CLI; the lint engine
  // (server/src/engine) takes text and settings in and gives findings out; nothing but tests imports
  // test/ or bench/, and the simulators (simulators/) serve tests, playground and bench alike.
  {
    files: ['server/**/*.ts', 'operations/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts', 'playground/**/*.ts'],
    ignores: ['server/src/engine/**', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: [NO_CLIENT, NO_TESTS] }] },
  },
  {
    files: ['server/src/**/*.test.ts'],
    ignores: ['server/src/engine/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: [NO_CLIENT] }] },
  },
  {
    // The CLI, the operations library and the shared workspace module stand beside the language server, not on it.
    files: ['operations/**/*.ts', 'cli/**/*.ts', 'server/src/workspace/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: [NO_CLIENT, NO_LANGUAGE_SERVER, NO_TESTS] }] },
  },
  {
    files: ['server/src/engine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: [NO_CLIENT, NO_EDITOR_OR_OPERATIONS, NO_TESTS] }] },
  },
  {
    files: ['client/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_TESTS] }] },
  },
  {
    files: ['simulators/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: [NO_CLIENT, NO_CLI, NO_TESTS] }] },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'bin/**/*.js', 'test/e2e/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        WebAssembly: 'readonly',
      },
    },
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
