import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    // The privacy check: no lead's personal data in any log line or SES tag (test/support/privacy.ts).
    setupFiles: ['test/support/privacy-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
