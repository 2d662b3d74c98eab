// @ts-check
// `npm run mutate:dispatch-run`: which lead a dispatcher run takes up, and when: the run loop and its time budget,
// `deliver` (a lead read by id, not due, or carrying an in-flight mark, and what an error leaves), a refused claim and a
// stale mark (`afterRefusedClaim`, `afterMark`), and the due queue. The pacer itself (adapters/pace.ts) is in no scope:
// the test that shows its pace at the SES endpoint takes 18 s a run. Its other half, rendering, claiming, sending and
// settling one step, is `npm run mutate:dispatch-send`. The same set-up as `npm run mutate` (stryker.config.js), on
// its own scope, cache and reports, so that each scope fits about 15 minutes on two cores. The line ranges follow
// the functions of dispatch.ts: check them when it changes (docs/testing.md#mutation-testing).
import base from './stryker.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'lambdas/domain/dispatch.ts:1-248', // dispatchDue, withExperimentStates, armOf, deliverNext, deliver
    'lambdas/domain/dispatch.ts:378-423', // afterRefusedClaim, afterMark
    'lambdas/domain/due-queue.ts',
  ],
  incrementalFile: 'reports/stryker-incremental-dispatch-run.json',
  htmlReporter: { fileName: 'reports/mutation-dispatch-run/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-dispatch-run/mutation.json' },
};
