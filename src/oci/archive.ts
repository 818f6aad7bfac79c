import { createHash } from 'node:crypto';
import { fileHeader, padding, END_OF_ARCHIVE } from '../tar/header.ts';
import { appendBytes, appendFile } from '../tar/write.ts';
import { writeAtomic } from '../util/atomic.ts';
import type { Store, Blob } from '../store/store.ts';
import { REF_NAME } from './layout.ts';
import type { Descriptor } from './media.ts';

/** The name containerd's `ctr images import` gives an image from an OCI archive. */
export const CONTAINERD_NAME = 'io.containerd.image.name';

/**
 * An OCI image layout as one tar (what `ctr images import`, `podman load` and `skopeo copy
 * oci-archive:` read): oci-layout, index.json naming the image, blobs/sha256/*, streamed from the
 * store with fixed times so the same image gives the same bytes. Returns the tar's sha256.
 */
export async function writeOciArchive(store: Store, root: Descriptor, blobs: Blob[], name: string, out: string, mtime: number): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let pos = 0;
  await writeAtomic(out, async (fh) => {
    const small = async (path: string, text: string) => {
      const b = Buffer.from(text);
      pos = await appendBytes(fh, pos, fileHeader(path, b.length, mtime), h);
      pos = await appendBytes(fh, pos, b, h);
      pos = await appendBytes(fh, pos, Buffer.alloc(padding(b.length)), h);
    };
    await small('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await small('index.json', JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: root.mediaType, digest: root.digest, size: root.size, annotations: { [REF_NAME]: name, [CONTAINERD_NAME]: name } }] }));
    for (const b of [...blobs].sort((x, y) => (x.digest < y.digest ? -1 : 1))) {
      pos = await appendBytes(fh, pos, fileHeader(`blobs/sha256/${b.digest.slice('sha256:'.length)}`, b.size, mtime), h);
      pos = await appendFile(fh, pos, store.blobPath(b.digest), h);
      pos = await appendBytes(fh, pos, Buffer.alloc(padding(b.size)), h);
    }
    pos = await appendBytes(fh, pos, END_OF_ARCHIVE, h);
  });
  return { sha256: h.digest('hex'), size: pos };
}
