import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/setup/host-tools.ts', 'test/setup/minbase-debs.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more workers only fight over them.
    maxWorkers: 2,
    // no download cache: tests that tamper with an upstream must see it; the Kolla service test turns it on
    env: { AIRGAP_QUIET: '1', AIRGAP_RETRY_DELAY_MS: '20', AIRGAP_CACHE: 'off' },
  },
});
