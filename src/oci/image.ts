import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import type { Store } from '../store/store.ts';
import { fileHeader, padding, END_OF_ARCHIVE } from '../tar/header.ts';
import { OCI_INDEX, OCI_MANIFEST, type Descriptor } from './media.ts';

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A deterministic tar of the given files (sorted names, fixed mtime, root-owned). */
export function tarOf(files: Record<string, string | Buffer>, mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const name of Object.keys(files).sort()) {
    const data = Buffer.from(files[name]);
    parts.push(fileHeader(name, data.length, mtime, 0o755), data, Buffer.alloc(padding(data.length)));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

async function put(store: Store, bytes: Buffer, mediaType: string): Promise<Descriptor> {
  const b = await store.ingest([bytes], { what: mediaType });
  return { mediaType, digest: b.digest, size: b.size };
}

/**
 * A single-layer OCI image written straight into a store, no daemon: the same inputs give the same
 * digest (gzip without a name or time, fixed timestamps). Used by the demo's upstream and tests.
 */
export async function writeImage(store: Store, o: { files: Record<string, string | Buffer>; os?: string; architecture: string; variant?: string; created: string; cmd?: string[] }): Promise<Descriptor> {
  const mtime = Math.floor(Date.parse(o.created) / 1000);
  const tar = tarOf(o.files, mtime);
  const layer = await put(store, gzipSync(tar, { level: 9 }), LAYER);
  return imageOfLayer(store, { ...o, layer, diffId: `sha256:${hex(tar)}`, createdBy: 'airgap writeImage' });
}

const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/**
 * A layer from a tar file, streamed: gzip (no name, no time: the same tar gives the same bytes)
 * into the store while the tar itself is hashed for the config's diff_id. A rootfs of any size.
 */
export async function layerFromTar(store: Store, tarPath: string): Promise<{ layer: Descriptor; diffId: string }> {
  const h = createHash('sha256');
  const tap = async function* (src: AsyncIterable<Buffer>) { for await (const c of src) { h.update(c); yield c; } };
  const gz = createGzip();
  pipeline(Readable.from(tap(createReadStream(tarPath, { highWaterMark: 1 << 20 }))), gz, () => {}); // an error ends gz, and ingest with it
  const blob = await store.ingest(gz, { what: `layer of ${tarPath}` });
  return { layer: { mediaType: LAYER, digest: blob.digest, size: blob.size }, diffId: `sha256:${h.digest('hex')}` };
}

/** Config and manifest around one layer; `created` is the only time in them. */
export async function imageOfLayer(store: Store, o: { layer: Descriptor; diffId: string; os?: string; architecture: string; variant?: string; created: string; cmd?: string[]; createdBy: string }): Promise<Descriptor> {
  const platform = { os: o.os ?? 'linux', architecture: o.architecture, ...(o.variant ? { variant: o.variant } : {}) };
  const config = await put(store, Buffer.from(JSON.stringify({
    created: o.created, ...platform,
    config: { Cmd: o.cmd ?? ['/bin/sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [o.diffId] },
    history: [{ created: o.created, created_by: o.createdBy }],
  })), 'application/vnd.oci.image.config.v1+json');
  const manifest = await put(store, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [o.layer] })), OCI_MANIFEST);
  return { ...manifest, platform };
}

/** An index over platform manifests (multi-arch image). */
export async function writeIndex(store: Store, manifests: Descriptor[]): Promise<Descriptor> {
  return put(store, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })), OCI_INDEX);
}
