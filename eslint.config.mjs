// Lint: mainly architecture. The core must stay free of `vscode` so that it runs in plain Node (CLI, tests).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'examples/**', 'test/fixtures/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    // and the scan worker thread with its client and messages (plain Node: the worker has no `vscode`)
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/extension/scanWorker.ts', 'src/extension/scanWorkerProtocol.ts', 'src/extension/scannerClient.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/cli must not depend on VS Code: put host code in src/extension.' }] }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: 'src/core must not load vscode.' }],
    },
  },
);
