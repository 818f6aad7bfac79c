import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Store } from '../store/store.ts';
import { AirgapError } from '../util/errors.ts';
import { mapLimit } from '../util/concurrency.ts';
import type { RegistryClient } from './client.ts';
import { childrenOf, isIndex, manifestMediaType, parseManifest } from './media.ts';

/**
 * Push an image from a store to a registry: blobs before the manifest that needs them, platform
 * manifests (by digest) before their index, the tag last, every manifest with its exact bytes and
 * media type. Then read the tag back: it must name the digest we pushed.
 */
export async function pushImage(client: RegistryClient, repository: string, tag: string, store: Store, rootDigest: string, o: { mountFrom?: string; concurrency?: number; chunkSize?: number } = {}): Promise<{ uploaded: number; present: number }> {
  const counts = { uploaded: 0, present: 0 };
  const pushManifest = async (digest: string, reference: string): Promise<void> => {
    const bytes = await readFile(store.blobPath(digest)).catch(() => {
      throw new AirgapError(`manifest ${digest} is not in ${store.root}`, { hint: 'mirror or import the image first' });
    });
    const mediaType = manifestMediaType(bytes, undefined, `manifest ${digest}`);
    const children = childrenOf(parseManifest(bytes, `manifest ${digest}`));
    if (isIndex(mediaType)) {
      for (const c of children) await pushManifest(c.digest, c.digest);
    } else {
      await mapLimit(children, o.concurrency ?? 3, async (c) => {
        const path = store.blobPath(c.digest);
        const r = await client.pushBlob(repository, { digest: c.digest, size: c.size }, (start, end) => createReadStream(path, { start, end, highWaterMark: 1 << 20 }), { mountFrom: o.mountFrom, chunkSize: o.chunkSize });
        if (r === 'uploaded') counts.uploaded++;
        else counts.present++;
      });
    }
    await client.putManifest(repository, reference, { bytes, mediaType, digest });
  };
  await pushManifest(rootDigest, tag);
  const back = await client.hasManifest(repository, tag);
  if (back !== rootDigest) throw new AirgapError(`registry ${client.registry}: ${repository}:${tag} reads back as ${back ?? 'missing'}, pushed ${rootDigest}`);
  return counts;
}
