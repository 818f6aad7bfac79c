/**
 * `npm run site:build`: the site's diagrams are drawn by mermaid in Debian's Chromium at build time,
 * so make sure it is there first (installed when run as root, else the exact apt-get line), then
 * hand over to astro. Extra arguments go to `astro build` (e.g. --outDir).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTools } from '../src/host/tools.ts';
import { AirgapError } from '../src/util/errors.ts';

try {
  // CHROMIUM_PATH (site/mermaid.mjs) names another browser build; otherwise Debian's is needed.
  if (!process.env.CHROMIUM_PATH) ensureTools(['chromium']);
} catch (err) {
  if (!(err instanceof AirgapError)) throw err;
  process.stderr.write(`site:build: ${err.message}\n  → ${err.hint}\n`);
  process.exit(2);
}
// astro's own entry, run by this same Node: no reliance on node_modules/.bin being on PATH.
const astro = join(dirname(fileURLToPath(import.meta.resolve('astro/package.json'))), 'bin', 'astro.mjs');
const root = fileURLToPath(new URL('../site/', import.meta.url));
// A test runner's environment (NODE_ENV=test, DEV/PROD/MODE mirrored from import.meta.env) would
// turn this into a dev-mode build whose pages say search is "only available in production builds".
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST.*|DEV|PROD|SSR|MODE|BASE_URL|TEST)$/.test(k)));
const r = spawnSync(process.execPath, [astro, 'build', '--root', root, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...env, ASTRO_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
});
if (r.error) process.stderr.write(`site:build: could not start astro: ${r.error.message}\n`);
process.exit(r.status ?? 1);
