// @ts-check
// `npm run mutate:dispatch`: the dispatcher: claim, mark, send, settle, the due queue, the pacer's use and the run's budget.
// The same set-up as `npm run mutate` (stryker.config.js), on its own scope, cache and reports, so that each scope
// fits about 15 minutes on two cores. docs/testing.md#mutation-testing.
import base from './stryker.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: ['lambdas/domain/dispatch.ts'],
  incrementalFile: 'reports/stryker-incremental-dispatch.json',
  htmlReporter: { fileName: 'reports/mutation-dispatch/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-dispatch/mutation.json' },
};
