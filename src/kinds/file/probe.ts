import type { ProbeContext } from '../kind.ts';
import type { FileLocked } from './schema.ts';
import { repositoryPath, repositoryUrl } from '../../repository/urls.ts';
import { sha256 } from '../../util/hash.ts';
import { AirgapError } from '../../util/errors.ts';

/** A plain GET of the raw file, hashed against the lock. */
export async function probeFile(f: FileLocked, ctx: ProbeContext): Promise<string> {
  const res = await fetch(repositoryUrl(ctx.serverUrl, 'raw', f.path));
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok || sha256(body) !== f.sha256) throw new AirgapError(`served raw/${f.path} does not match the lock`);
  return `GET ${repositoryPath('raw', f.path)} → sha256 ${f.sha256.slice(0, 16)}… as locked`;
}
