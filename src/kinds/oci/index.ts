import type { Kind } from '../kind.ts';
import { ociEntry, ociLocked, type OciEntry, type OciLocked } from './schema.ts';
import { parseImageRef, formatRef } from '../../oci/reference.ts';
import { RegistryClient } from '../../oci/client.ts';
import { isIndex, parseManifest, platformMatches, platformString } from '../../oci/media.ts';
import { selectPlatforms, configPlatform } from '../../oci/select.ts';
import { IMPORTED, tagRef } from '../../oci/layout.ts';
import { pushImage } from '../../oci/push.ts';
import { mapLimit } from '../../util/concurrency.ts';
import { pullTree } from '../../oci/pull.ts';
import { AirgapError, redactUrl } from '../../util/errors.ts';
import { probeOci } from './probe.ts';
import { parseUserUrl } from '../../util/url.ts';

const refKey = (a: OciLocked) => `oci:${a.digest}`;

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

export const ociKind: Kind<OciEntry, OciLocked> = {
  name: 'oci',
  repository: { name: 'oci', format: 'oci' },
  entry: ociEntry as never,
  locked: ociLocked,

  async lock(entries, ctx) {
    return mapLimit(entries, 4, async (e) => {
      const ref = parseImageRef(e.image);
      const client = new RegistryClient(ref.registry, { insecure: e.insecure, log: ctx.log });
      ctx.log(`lock: resolving ${formatRef(ref)}`);
      const m = await client.getManifest(ref.repository, ref.digest ?? ref.tag!);
      const what = `oci ${e.name} (${e.image})`;
      const sel = selectPlatforms(m, e.platforms, what);
      if (e.platforms !== 'all' && !isIndex(m.mediaType)) {
        const config = parseManifest(m.bytes, `${what}: manifest ${m.digest}`).config;
        const platform = config ? configPlatform(await readAll(await client.getBlob(ref.repository, config.digest))) : undefined;
        if (platform && !e.platforms.some((p) => platformMatches(platform, p))) {
          throw new AirgapError(`${what}: the image is ${platformString(platform)}, not ${e.platforms.join(', ')}`, { exitCode: 2 });
        }
      }
      const tag = ref.tag ?? `sha256-${(ref.digest ?? sel.digest).slice(7, 19)}`;
      return ociLocked.parse({
        kind: 'oci', id: `oci:${e.name}`, name: e.name, version: ref.tag ?? ref.digest!.slice(0, 19),
        image: e.image, registry: ref.registry, repository: ref.repository, sourceDigest: m.digest,
        digest: sel.digest, mediaType: sel.mediaType, size: sel.size,
        platforms: e.platforms, target: e.as ?? `${ref.repository}:${tag}`, ...(e.insecure ? { insecure: true } : {}),
      });
    });
  },

  /** Root manifest, then every child, depth first; the store doubles as an OCI layout. */
  async mirror(a, ctx) {
    const known = await ociKind.blobs(a, ctx.store);
    if (known) return known;
    const client = new RegistryClient(a.registry, { insecure: a.insecure, log: ctx.log });
    const what = `oci ${a.name}`;
    const root = await client.getManifest(a.repository, a.sourceDigest);
    const sel = selectPlatforms(root, a.platforms, what);
    if (sel.digest !== a.digest) throw new AirgapError(`${what}: upstream now selects ${sel.digest}, lock says ${a.digest}`, { hint: 're-lock if the new image is trusted' });
    const bytes = sel.bytes ?? (await client.getManifest(a.repository, a.digest)).bytes;
    const unique = await pullTree(client, a.repository, await ctx.store.ingest([bytes], { expected: a.digest, what }), bytes, ctx.store, what, ctx.onBytes);
    await ctx.store.putRef(refKey(a), unique);
    await tagRef(ctx.store.root, a.target, { mediaType: a.mediaType, digest: a.digest, size: a.size });
    return unique;
  },

  blobs: (a, store) => store.completeRef(refKey(a)),
  pinnedRoot: (a) => ({ digest: a.digest, size: a.size }),
  describe: (a) => ({ pin: a.digest, source: redactUrl(a.image) }),
  importOptions: [{
    flag: 'registry', value: 'URL', help: 'also push every image to this OCI registry (http://host:port for plain HTTP)',
    // checked at once, not when the first image is pushed after the whole bundle is verified; passed on as written
    check: (v) => void parseUserUrl(v.includes('://') ? v : `https://${v}`, '--registry'),
  }],
  probe: probeOci,

  /** Tag it in the repository's layout (served at /v2/, where no push may move it); with --registry, push it there too. */
  async place(a, _blobs, ctx) {
    await tagRef(ctx.repoRoot, a.target, { mediaType: a.mediaType, digest: a.digest, size: a.size }, { [IMPORTED]: 'true' });
    const placed = [`oci ${a.target}`];
    const registry = ctx.options?.registry;
    if (registry) {
      const url = new URL(registry.includes('://') ? registry : `https://${registry}`);
      const [repository, tag] = a.target.split(':');
      const client = new RegistryClient(url.host, { insecure: url.protocol === 'http:', log: ctx.log });
      await pushImage(client, repository, tag, ctx.store, a.digest);
      placed.push(`${url.host}/${a.target}`);
    }
    return placed;
  },
};
