import { join } from 'node:path';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { airgap } from './workspace.ts';
import { demoRelease } from './demo-release.ts';
import { readSecretKey } from '../../src/trust/keys.ts';
import { signMinisign } from '../../src/trust/minisign.ts';
import { trustedComment } from '../../src/bundle/write.ts';
import { sha256 } from '../../src/util/hash.ts';

/** A signed demo bundle made through the CLI, to be copied and damaged by tests. */
export async function demoBundle(dir: string, volumeSize = '256K') {
  const r = await demoRelease(dir);
  const results = join(dir, 'results');
  for (const args of [
    ['lock', r.release],
    ['mirror', r.release, '--store', join(dir, 'store')],
    ['bundle', r.release, '--store', join(dir, 'store'), '--out', join(dir, 'bundle'), '--key', r.keys.secretPath, '--volume-size', volumeSize],
  ]) {
    const res = await airgap([...args, '--results', results], { env: r.env });
    expect(res.code, res.stderr).toBe(0);
  }
  let n = 0;
  /** a fresh copy of the good bundle */
  const copy = async () => {
    const to = join(dir, `copy-${++n}`);
    await cp(join(dir, 'bundle'), to, { recursive: true });
    return to;
  };
  return { ...r, bundle: join(dir, 'bundle'), results, copy };
}

/**
 * Re-sign a bundle after changing its volumes, with the trusted key: what a compromised or buggy
 * packager could ship. Only the tar checks stand between such a bundle and the repository.
 */
export async function resign(bundle: string, secretKeyPath: string) {
  const toc = JSON.parse(await readFile(join(bundle, 'toc.json'), 'utf8'));
  for (const v of toc.volumes) {
    const bytes = await readFile(join(bundle, v.name));
    v.sha256 = sha256(bytes);
    v.size = bytes.length;
  }
  const text = JSON.stringify(toc, null, 2) + '\n';
  await writeFile(join(bundle, 'toc.json'), text);
  const sk = await readSecretKey(secretKeyPath);
  await writeFile(join(bundle, 'toc.json.minisig'), signMinisign(Buffer.from(text), sk, trustedComment(toc, sha256(text))));
}
