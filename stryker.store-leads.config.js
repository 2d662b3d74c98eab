// @ts-check
// `npm run mutate:store-leads`: the lead store's writes outside a send: sign-up's conditional puts (and taking over a
// lapsed pending address), double opt-in's confirmation mark and confirm, stopping everything, the marketing
// unsubscribe, the preference page's choices and the booking's write, each with its wait for a send in flight; and the
// booking webhook's delivery log. The writes of a send are `npm run mutate:store-send`. The same set-up as
// `npm run mutate` (stryker.config.js), on its own scope, cache and reports. The line ranges follow the functions of
// dynamo-lead-store.ts: check them when it changes (docs/testing.md#mutation-testing).
import base from './stryker.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'lambdas/adapters/dynamo-lead-store.ts:1-278', // create … extendAddress
    'lambdas/adapters/dynamo-lead-store.ts:474-663', // stop, optOut, setPreferences, rebook, their in-flight condition
    'lambdas/adapters/dynamo-delivery-log.ts',
  ],
  incrementalFile: 'reports/stryker-incremental-store-leads.json',
  htmlReporter: { fileName: 'reports/mutation-store-leads/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-store-leads/mutation.json' },
};
