// @ts-check
// Lint: typescript-eslint's recommended type-aware rules (recommendedTypeChecked) over every TypeScript file the
// tsconfig covers. Formatting is Prettier's job (npm run lint runs both), so no stylistic rules here.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['node_modules/', 'cdk.out/', '.nurture/', '.react-email/', 'bench/results/', '.stryker-tmp/', 'reports/'],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a name left unused on purpose: a template's `subject(_props)` that ignores its
      // props, a handler's `_event`, or a key dropped from a rest object (`{ clinic: _clinic, ...props }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // An async function without an await is how this code meets a Promise-returning contract (a route, a port,
      // a close(), a test's fake); `Promise.resolve(...)` in its place would say the same thing less plainly.
      '@typescript-eslint/require-await': 'off',
      // Node's callbacks take async functions here on purpose (createServer, process.on, setTimeout, http.request):
      // each handles its own errors, or runs at a signal that ends the process. The rule's other checks stay on.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests read untyped data on purpose and check it with expect: JSON response bodies, CloudFormation templates
      // (Template.toJSON()), EMF log lines, stage settings bent into shapes the schema must refuse; and vitest's
      // asymmetric matchers (expect.any, expect.stringMatching, ...) are typed `any`. Casting each to a type first
      // would assert nothing the expect does not, so the rules that track `any` are off for tests only.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // This file is plain JavaScript outside the tsconfig: lint it without type information.
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
