// @ts-check
// `npm run mutate:opt-in`: what a reader chooses: double opt-in (`opt-in.ts`: the confirmation email at most once a
// day, the nurture only after the confirm page's POST), its signed link (`confirm-token.ts`), and the preference page
// (`preferences.ts`: a pause, the weekly pace, marketing off), with their unit tests and `double-opt-in.test.ts` and
// `preferences.test.ts`. The same set-up as `npm run mutate` (stryker.config.js), on its own scope, cache and reports.
// docs/testing.md#mutation-testing.
import base from './stryker.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: ['lambdas/domain/opt-in.ts', 'lambdas/domain/confirm-token.ts', 'lambdas/domain/preferences.ts'],
  incrementalFile: 'reports/stryker-incremental-opt-in.json',
  htmlReporter: { fileName: 'reports/mutation-opt-in/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-opt-in/mutation.json' },
};
