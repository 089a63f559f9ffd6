// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'var/', 'coverage/', 'models/', 'bench/results/', '**/*.js', '!eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Architecture rule (STYLE.md 3): only the inference module talks to ONNX Runtime.
      'no-restricted-imports': ['error', { paths: [{ name: 'onnxruntime-node', message: 'Only src/inference/ may import onnxruntime-node; inject InferencePool instead.' }] }],
    },
  },
  {
    files: ['src/inference/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
