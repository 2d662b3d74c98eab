import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The tests `npm run mutate` (StrykerJS, stryker.config.js) runs against each mutant: the domain's unit tests and the
 * integration tests that hold the guarantees, on dynalite only. Left out, for time on a 2-core machine: the
 * hostile-input fuzzing (about 100 s a run), the report (its CLI half runs in child processes, where no mutant is
 * active), the report's counters (about 9 s a run), the pacing at the SES endpoint (about 18 s a run), the local
 * tools, the emails and the CDK. `MUTATION_RUN` skips three tests inside the chosen files: the
 * 1,000-lead SES load test (about 45 s), whose paths the single-lead SES fault tests cover, and the two 40-race tests,
 * where timing decides whether a mutant is caught (the deterministic in-flight tests hold the same guarantees).
 */
const include = [
  'test/unit/domain/**/*.test.ts',
  'test/integration/signup.test.ts',
  'test/integration/writes-per-email.test.ts',
  'test/integration/double-opt-in.test.ts',
  'test/integration/preferences.test.ts',
  'test/integration/unsubscribe.test.ts',
  'test/integration/ses-events.test.ts',
  'test/integration/lease-expiry.test.ts',
  'test/integration/dispatch.test.ts',
  'test/integration/replays.test.ts',
  'test/integration/safe-edits.test.ts',
  'test/integration/booking.test.ts',
  'test/integration/ses-faults.test.ts',
  'test/integration/ses-account.test.ts',
];

/**
 * Stryker stops a mutant's run at its first failing test, so run the cheap tests first: the files in the order of
 * `include` (unit tests, then the integration tests from quick to slow), where vitest would run the slowest first.
 */
class CheapFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const rank = (file: TestSpecification) => {
      const path = relative(process.cwd(), file.moduleId);
      const at = include.findIndex((pattern) =>
        pattern.includes('*') ? path.startsWith('test/unit/') : path === pattern,
      );
      return at === -1 ? include.length : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    setupFiles: ['test/support/privacy-setup.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { MUTATION_RUN: '1' },
    // Stryker runs each mutant in a fresh worker; within that run, sharing modules across the test files spares
    // re-importing the service for each file (the chosen files run in about 60% of the time). Each file still makes
    // its own table, and the privacy check still resets per file.
    isolate: false,
    include,
    sequence: { sequencer: CheapFirst },
  },
});
