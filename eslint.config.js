// @ts-check
// Lint: typescript-eslint's recommended type-aware rules (recommendedTypeChecked) over every TypeScript file the
// tsconfig covers. Formatting is Prettier's job (npm run lint runs both), so no stylistic rules here.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'cdk.out/', '.nurture/', '.react-email/', 'bench/results/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // This file is plain JavaScript outside the tsconfig: lint it without type information.
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
