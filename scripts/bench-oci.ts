// npm run bench:oci [-- --size 1G --runs 3]: pushing a generated multi-layer image set from an OCI
// layout into Debian's docker-registry on loopback, airgap's client vs `skopeo copy`, same run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTools } from '../src/host/tools.ts';
import { parseSize, formatSize } from '../src/util/size.ts';
import { benchOciPush } from './bench/oci-push.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '1G' }, runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
ensureTools(['docker-registry', 'skopeo']);
const work = await mkdtemp(join(tmpdir(), 'airgap-bench-oci-'));
try {
  const r = await benchOciPush(work, parseSize(values.size!), Number(values.runs), (m) => process.stderr.write(`bench: ${m}\n`));
  const mbps = (s: number) => (r.bytes / s / 1e6).toFixed(0);
  if (values.json) process.stdout.write(JSON.stringify({ ...r, ratio: r.skopeoSeconds / r.airgapSeconds }, null, 2) + '\n');
  else process.stdout.write([
    `OCI push: ${r.images} images × ${r.layers} layers, ${formatSize(r.bytes)} into docker-registry on loopback (best of ${values.runs})`,
    `  airgap push   ${r.airgapSeconds.toFixed(2)} s  ${mbps(r.airgapSeconds)} MB/s`,
    `  skopeo copy   ${r.skopeoSeconds.toFixed(2)} s  ${mbps(r.skopeoSeconds)} MB/s`,
    `  ratio         ${(r.skopeoSeconds / r.airgapSeconds).toFixed(2)}× skopeo's speed (above 1 is faster than skopeo)`,
    '',
  ].join('\n'));
} finally {
  await rm(work, { recursive: true, force: true });
}
