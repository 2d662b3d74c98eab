// @ts-check
// `npm run mutate:store-send`: the DynamoDB writes of a send and of its SES events: the lead store's due page, claim,
// take-over of a stale mark, settle, stop-time record, release and defer, the message look-ups SES events rely on, and
// the event store's dedupe and suppression. The lead store's other writes (sign-up, double opt-in, stops, unsubscribe,
// preferences, booking) are `npm run mutate:store-leads`. The same set-up as `npm run mutate` (stryker.config.js), on
// its own scope, cache and reports. The line ranges follow the functions of dynamo-lead-store.ts: check them when it
// changes (docs/testing.md#mutation-testing).
import base from './stryker.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'lambdas/adapters/dynamo-lead-store.ts:279-473', // get … partition
    'lambdas/adapters/dynamo-lead-store.ts:664-676', // unclaimedAsSeen
    'lambdas/adapters/dynamo-event-store.ts',
  ],
  incrementalFile: 'reports/stryker-incremental-store-send.json',
  htmlReporter: { fileName: 'reports/mutation-store-send/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-store-send/mutation.json' },
};
