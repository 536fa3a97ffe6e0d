// Lint rules the formatter cannot settle: unused code, type-only imports, import order.
import js from '@eslint/js'
import simpleImportSort from 'eslint-plugin-simple-import-sort'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tap/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      // A closure that refers to the value it is being passed to (a server whose hook reads its own engine).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // The git wire protocol is made of control bytes (side-band channels \x01-\x03).
      'no-control-regex': 'off',
    },
  },
)
