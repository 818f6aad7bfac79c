import { defineConfig } from 'vitest/config';

/**
 * `npm run test:fast`: the pure units, under 30 s, for the edit-test loop. No global setup (no
 * host tools installed, no Debian packages downloaded) and no test that starts a pipeline, a
 * sandbox, a browser or a registry: parsers, schemas, planners, the layer rules, a kind plugged
 * in. `npm test` runs these and everything else; a file belongs here only when it stays fast.
 */
export default defineConfig({
  test: {
    include: [
      'test/units.test.ts',
      'test/apt.test.ts',
      'test/elements-units.test.ts',
      'test/kolla-config.test.ts',
      'test/kolla-plan.test.ts',
      'test/layers.test.ts',
      'test/manifest.test.ts',
      'test/plugin-kind.test.ts',
      'test/sandbox-units.test.ts',
      'test/zuul.test.ts',
    ],
    testTimeout: 20_000,
    maxWorkers: 2,
    env: { AIRGAP_QUIET: '1', AIRGAP_RETRY_DELAY_MS: '20' },
  },
});
