import { defineConfig } from 'vitest/config';
import type { Reporter } from 'vitest/reporters';
import { findDynamoDbLocal } from './local/dynamodb-local.ts';

/**
 * Two projects: everything against dynalite (the embedded default), then the integration tests a second time
 * against AWS's own DynamoDB Local. Without Java the second pass is skipped, loudly; with
 * REQUIRE_DYNAMODB_LOCAL=1 (set by .ci/run) a missing Java or jar fails the run instead.
 */
const dynamoDbLocal = findDynamoDbLocal();
const missing = 'missing' in dynamoDbLocal ? dynamoDbLocal.missing : undefined;
if (missing && process.env.REQUIRE_DYNAMODB_LOCAL === '1') {
  throw new Error(
    `REQUIRE_DYNAMODB_LOCAL=1 but the DynamoDB Local pass cannot run: ${missing}. On Debian: apt-get install openjdk-17-jre-headless (Debian 13: default-jre-headless)`,
  );
}
const notice =
  missing &&
  `\n*** DynamoDB Local pass SKIPPED: ${missing}. Only dynalite was tested. Install Java 17 or newer (apt-get install openjdk-17-jre-headless; Debian 13: default-jre-headless) to run it. ***\n`;
// Said before the run and again after the summary, where nobody can miss it.
const skipNotice: Reporter = {
  onTestRunStart: () => void console.warn(notice),
  onTestRunEnd: () => void console.warn(notice),
};

export default defineConfig({
  test: {
    // The privacy check: no lead's personal data in any log line or SES tag (test/support/privacy.ts).
    setupFiles: ['test/support/privacy-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    ...(notice && { reporters: ['default', skipNotice] }),
    projects: [
      {
        extends: true,
        test: { name: 'dynalite', include: ['test/**/*.test.ts'], globalSetup: ['test/integration/global-setup.ts'] },
      },
      ...(missing
        ? []
        : [
            {
              extends: true as const,
              test: {
                name: 'dynamodb-local',
                include: ['test/integration/**/*.test.ts'],
                // npm start's own runtime is dynalite by design (no Java) and brings its own emulators; the email
                // preview and the preflight (a fake of CloudFormation, SES, Lambda and SNS) never touch DynamoDB.
                exclude: [
                  'test/integration/local-runtime.test.ts',
                  'test/integration/email-preview.test.ts',
                  'test/integration/preflight.test.ts',
                ],
                globalSetup: ['test/integration/global-setup-dynamodb-local.ts'],
              },
            },
          ]),
    ],
  },
});
