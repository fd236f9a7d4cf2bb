// ESLint (flat config): typescript-eslint's recommended rules on src/, test/, mixin/, bench/ and scripts/.
// Formatting is Prettier's job (.prettierrc.json); the layering rules are dependency-cruiser's
// (.dependency-cruiser.cjs). Both run with `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'grafana/', 'prometheus/', 'alertmanager/', 'deploy/', '.ci/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // `_` marks a parameter that a signature requires and the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Empty catch blocks carry a comment saying why the error is ignored.
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
);
