// @ts-check
// Mutation testing (`npm run mutate`, not part of CI): how much of the domain and of the DynamoDB store's conditions
// the tests would notice breaking. How to read the result: docs/testing.md#mutation-testing.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.mutate.config.ts',
    // Every chosen test runs in the dry run and coverage per test picks the ones each mutant needs; vitest's own
    // import-graph guess would miss code reached through the composition root.
    related: false,
  },
  coverageAnalysis: 'perTest',
  // The guarantee paths (docs/guarantees.md) come in six scopes, each sized to finish in about 15 minutes on two
  // cores: this one (`npm run mutate`): stop and booking's stop, engagement events and their dedupe, unsubscribe
  // tokens, idempotent sign-up, the booking webhook's signature and apply; the DynamoDB stores' conditions in two,
  // `npm run mutate:store-send` (a send's writes and the SES events' dedupe) and `npm run mutate:store-leads`
  // (sign-up, double opt-in, stops, preferences, booking); the dispatcher in two, `npm run mutate:dispatch-run` (the
  // run loop, the due queue, a refused claim, a stale mark) and `npm run mutate:dispatch-send` (claim, send, settle);
  // and `npm run mutate:opt-in` (double opt-in, its link, the preference page). Left out: the rest of the domain
  // (schedule, plan, sequence, report, timeline, the sign-up and booking form checks, planning a booking's
  // reminders), the SES event parser, whose hostile-input fuzzing is too slow to run per mutant, and the pacer. Run
  // any of it with `npm run mutate -- --mutate 'lambdas/domain/**/*.ts'`. Counts and times:
  // docs/testing.md#mutation-testing.
  mutate: [
    'lambdas/domain/stop.ts',
    'lambdas/domain/engagement.ts',
    'lambdas/domain/unsubscribe-token.ts',
    'lambdas/domain/enroll.ts',
    'lambdas/domain/lead.ts',
    'lambdas/domain/email-address.ts', // normalizeEmail: sign-up is idempotent per normalised address
    'lambdas/domain/booking-signature.ts', // the webhook's signature
    'lambdas/domain/booking.ts:178-259', // applying a booking: it stops the nurture, or creates a booked lead
  ],
  // Only what a later run can reuse; `npm run mutate -- --force` for a full run (see docs/testing.md).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  plugins: ['@stryker-mutator/*', './test/support/stryker-ignorers.js'],
  ignorers: ['logs-and-error-messages'],
  ignorePatterns: ['cdk.out', '.nurture', 'bench/results', '.react-email', 'docs/images'],
  // The machine is shared and the integration tests wait on real emulators: be slow to call a mutant a timeout.
  timeoutMS: 10_000,
  thresholds: { high: 80, low: 60, break: null },
};
