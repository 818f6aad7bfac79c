import { readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic.ts';
import { OCI_INDEX, type Descriptor } from './media.ts';

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** On a tag import wrote from a signed bundle: the served registry refuses a push that would move it. */
export const IMPORTED = 'org.airgap.imported';

interface Index { schemaVersion: 2; mediaType: string; manifests: Descriptor[] }

/** One writer at a time per layout inside this process; the file itself is replaced atomically. */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const next = (queues.get(root) ?? Promise.resolve()).then(fn, fn);
  queues.set(root, next.catch(() => undefined));
  return next;
}

/**
 * The store and the embedded repository are OCI image layouts (oci-layout, index.json,
 * blobs/sha256): skopeo, umoci and crane can read them as they are. Names live in index.json as
 * `org.opencontainers.image.ref.name` = "<repository>:<tag>", unique per layout.
 */
export async function readIndex(root: string): Promise<Index> {
  try {
    return JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as Index;
  } catch {
    return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
  }
}

export function tagRef(root: string, refName: string, d: Descriptor, annotations: Record<string, string> = {}): Promise<void> {
  return serialized(root, async () => {
    if (!(await stat(join(root, 'oci-layout')).catch(() => undefined))) {
      await writeFile(join(root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    }
    const index = await readIndex(root);
    const manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== refName);
    manifests.push({ mediaType: d.mediaType, digest: d.digest, size: d.size, annotations: { ...annotations, [REF_NAME]: refName } });
    manifests.sort((a, b) => (a.annotations![REF_NAME] < b.annotations![REF_NAME] ? -1 : 1));
    await writeJsonAtomic(join(root, 'index.json'), { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
  });
}

export async function resolveRef(root: string, refName: string): Promise<Descriptor | undefined> {
  return (await readIndex(root)).manifests.find((m) => m.annotations?.[REF_NAME] === refName);
}
