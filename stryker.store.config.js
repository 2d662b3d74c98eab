// @ts-check
// `npm run mutate:store`: the DynamoDB stores' conditions: the lead store's create, claim, in-flight mark, settle,
// release, stop and opt-out; the event store's dedupe and suppression; the booking webhook's delivery log.
// The same set-up as `npm run mutate` (stryker.config.js), on its own scope, cache and reports, so that each scope
// fits about 15 minutes on two cores. docs/testing.md#mutation-testing.
import base from './stryker.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'lambdas/adapters/dynamo-lead-store.ts',
    'lambdas/adapters/dynamo-event-store.ts',
    'lambdas/adapters/dynamo-delivery-log.ts',
  ],
  incrementalFile: 'reports/stryker-incremental-store.json',
  htmlReporter: { fileName: 'reports/mutation-store/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-store/mutation.json' },
};
