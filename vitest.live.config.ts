import { defineConfig } from 'vitest/config';

// npm run test:live: the tests that reach the host's Debian mirror. Never in CI.
export default defineConfig({
  test: {
    include: ['test/live/**/*.live.ts'],
    globalSetup: ['test/setup/host-tools.ts'],
    testTimeout: 900_000,
    env: { AIRGAP_QUIET: '1' },
  },
});
