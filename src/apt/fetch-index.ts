import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { openUrl } from '../net/open-url.ts';
import { withRetry } from '../util/retry.ts';
import { run } from '../host/exec.ts';
import { AirgapError } from '../util/errors.ts';
import type { Release } from './release.ts';

export async function fetchBytes(url: string): Promise<Buffer> {
  return withRetry(async () => {
    const r = await openUrl(url);
    const parts: Uint8Array[] = [];
    for await (const c of r.body) parts.push(c);
    return Buffer.concat(parts);
  });
}

/**
 * One component/arch's Packages file, taken only as the signed Release lists it: the first of
 * Packages.xz, .gz or plain that Release names, its size and sha256 checked before it is read.
 */
export async function fetchPackages(base: string, suite: string, release: Release, component: string, arch: string): Promise<{ text: string; path: string }> {
  for (const ext of ['.xz', '.gz', '']) {
    const path = `${component}/binary-${arch}/Packages${ext}`;
    const want = release.files.get(path);
    if (!want) continue;
    const where = `dists/${suite}/${path}`;
    const bytes = await fetchBytes(`${base}/dists/${suite}/${path}`);
    const got = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== want.size || got !== want.sha256) {
      throw new AirgapError(`${where}: does not match Release (sha256 ${got}, ${bytes.length} bytes; Release says ${want.sha256}, ${want.size} bytes)`, { hint: 'the mirror is mid-update or was tampered with; retry later or use another mirror' });
    }
    const text = ext === '.gz' ? gunzipSync(bytes).toString('utf8') : ext === '.xz' ? (await run('xz', ['-dc'], { input: bytes })).stdout : bytes.toString('utf8');
    return { text, path: where };
  }
  throw new AirgapError(`dists/${suite}: Release lists no Packages for ${component}/${arch}`, { hint: 'check components and architectures against the repository' });
}
