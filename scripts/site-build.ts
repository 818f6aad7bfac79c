/**
 * `npm run site:build`: the site's diagrams are drawn by mermaid in Debian's Chromium at build time,
 * so make sure it is there first (installed when run as root, else the exact apt-get line), then
 * hand over to astro. Extra arguments go to `astro build` (e.g. --outDir).
 */
import { spawnSync } from 'node:child_process';
import { ensureTools } from '../src/host/tools.ts';
import { AirgapError } from '../src/util/errors.ts';

try {
  ensureTools(['chromium']);
} catch (err) {
  if (!(err instanceof AirgapError)) throw err;
  process.stderr.write(`site:build: ${err.message}\n  → ${err.hint}\n`);
  process.exit(2);
}
const r = spawnSync('astro', ['build', '--root', 'site', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
});
process.exit(r.status ?? 1);
