// npm run bench: every benchmark in turn. Options go to the bundle/verify bench (scripts/bench.ts);
// the OCI push, PyPI and apt closure benches run with their defaults (npm run bench:oci / bench:pypi / bench:apt take theirs).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

for (const [script, args] of [['bench.ts', process.argv.slice(2)], ['bench-oci.ts', []], ['bench-pypi.ts', []], ['bench-apt.ts', []]] as const) {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
