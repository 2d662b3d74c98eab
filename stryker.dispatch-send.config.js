// @ts-check
// `npm run mutate:dispatch-send`: one step of one lead: what comes next (a removed step, a marketing step after an
// unsubscribe, a pause or weekly hold, a visit's deadline), render, the send turn, the claim with its in-flight mark,
// the send and each SES outcome, and the settle (`deliverSeen`, `settleAfter`, `settleWithout`). Its other half, the
// run loop, the due queue and the pacer, is `npm run mutate:dispatch-run`. The same set-up as `npm run mutate`
// (stryker.config.js), on its own scope, cache and reports. The line ranges follow the functions of dispatch.ts: check
// them when it changes (docs/testing.md#mutation-testing).
import base from './stryker.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'lambdas/domain/dispatch.ts:249-377', // deliverSeen
    'lambdas/domain/dispatch.ts:424-524', // settleAfter, settleWithout, scheduleFrom
  ],
  incrementalFile: 'reports/stryker-incremental-dispatch-send.json',
  htmlReporter: { fileName: 'reports/mutation-dispatch-send/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-dispatch-send/mutation.json' },
};
