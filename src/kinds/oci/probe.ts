import type { ProbeContext } from '../kind.ts';
import type { OciLocked } from './schema.ts';
import { RegistryClient } from '../../oci/client.ts';
import { AirgapError } from '../../util/errors.ts';

/** A registry client's manifest pull from /v2/: the digest must be the locked one. */
export async function probeOci(o: OciLocked, ctx: ProbeContext): Promise<string> {
  const [repository, tag] = o.target.split(':');
  const got = await new RegistryClient(new URL(ctx.serverUrl).host).getManifest(repository, tag);
  if (got.digest !== o.digest) throw new AirgapError(`registry pull of ${o.target} gave ${got.digest}, lock says ${o.digest}`);
  return `GET /v2/${repository}/manifests/${tag} → ${o.digest.slice(0, 19)}… as locked`;
}
