import type { RegistryClient } from './client.ts';
import { childrenOf, parseManifest, type Descriptor } from './media.ts';
import { mapLimit } from '../util/concurrency.ts';
import { AirgapError } from '../util/errors.ts';
import type { Store, Blob } from '../store/store.ts';

/** Fetch one blob into the store unless it is there; bytes and size are checked on the way in. */
export async function fetchBlob(client: RegistryClient, repository: string, d: Descriptor, store: Store, what: string, onBytes?: (n: number) => void): Promise<Blob> {
  const have = await store.has(d.digest);
  if (have && have.size === d.size) return have;
  const w = await store.writer({ expected: d.digest, expectedSize: d.size, what: `${what}: blob ${d.digest}`, onBytes });
  try {
    for await (const chunk of await client.getBlob(repository, d.digest)) {
      await w.write(chunk);
    }
  } catch (err) {
    await w.abort();
    throw err;
  }
  return w.commit();
}

/**
 * Everything under a manifest already in the store (`bytes`, stored as `rootDigest`): child
 * manifests depth first, then layers and configs, each checked against its digest and size.
 * Returns every blob, the root first, each once.
 */
export async function pullTree(client: RegistryClient, repository: string, root: Blob, bytes: Buffer, store: Store, what: string, onBytes?: (n: number) => void): Promise<Blob[]> {
  const blobs: Blob[] = [root];
  const walk = async (manifest: Buffer) => {
    const children = childrenOf(parseManifest(manifest, `${what}: manifest`));
    const leaves = children.filter((c) => !c.mediaType.includes('manifest') && !c.mediaType.includes('index'));
    for (const c of children.filter((x) => !leaves.includes(x))) {
      const child = await client.getManifest(repository, c.digest);
      if (child.bytes.length !== c.size) throw new AirgapError(`${what}: manifest ${c.digest} is ${child.bytes.length} bytes, its parent says ${c.size}`);
      blobs.push(await store.ingest([child.bytes], { expected: c.digest, what }));
      await walk(child.bytes);
    }
    blobs.push(...(await mapLimit(leaves, 3, (d) => fetchBlob(client, repository, d, store, what, onBytes))));
  };
  await walk(bytes);
  return [...new Map(blobs.map((b) => [b.digest, b])).values()];
}
