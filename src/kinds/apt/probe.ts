import type { ProbeContext } from '../kind.ts';
import type { AptLocked } from './schema.ts';
import { repositoryPath, repositoryUrl } from '../../repository/urls.ts';
import { readKeyring, verifyInRelease } from '../../apt/release.ts';
import { sha256 } from '../../util/hash.ts';
import { AirgapError } from '../../util/errors.ts';

/** As apt does: the served key, the InRelease signature by it, then the .deb against the lock. */
export async function probeApt(p: AptLocked, ctx: ProbeContext): Promise<string> {
  const base = repositoryUrl(ctx.serverUrl, p.repository);
  const keyring = await readKeyring(Buffer.from(await (await fetch(`${base}/repository-key.gpg`)).arrayBuffer()));
  await verifyInRelease(await (await fetch(`${base}/dists/${p.suite}/InRelease`)).text(), keyring, `${base}/dists/${p.suite}/InRelease`);
  const deb = Buffer.from(await (await fetch(`${base}/${p.filename}`)).arrayBuffer());
  if (sha256(deb) !== p.sha256) throw new AirgapError(`served ${p.filename} does not match the lock`);
  return `GET ${repositoryPath(p.repository, p.filename)} → sha256 ${p.sha256.slice(0, 16)}… as locked (InRelease signature checked)`;
}
