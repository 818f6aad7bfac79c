import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { AirgapError } from '../util/errors.ts';
import type { ServiceAccess } from './openstack-auth.ts';

export interface GlanceImageSpec {
  name: string;
  diskFormat?: string;
  visibility?: 'private' | 'shared' | 'community' | 'public';
  /** extra properties: os_type, os_distro, os_version, marketplace_category, hw_* … */
  properties: Record<string, string>;
  tags?: string[];
}

export interface PublishedImage {
  id: string; name: string; status: string; size: number;
  checksum: string; osHashAlgo: 'sha512'; osHashValue: string;
  sha256: string; properties: Record<string, string>;
}

/** What every published image says about itself unless told otherwise (virtio, Linux). */
export const DEFAULT_PROPERTIES = { hw_disk_bus: 'virtio', hw_vif_model: 'virtio', os_type: 'linux' };

async function call(g: ServiceAccess, method: string, path: string, init: RequestInit & { expect: number[] }): Promise<Response> {
  const res = await fetch(`${g.endpoint}${path}`, { ...init, method, headers: { ...g.headers, ...(init.headers as Record<string, string>) } })
    .catch((err: Error) => { throw new AirgapError(`Glance at ${g.endpoint}: ${method} ${path}: ${err.message}`, { hint: 'is Glance running? check OS_ENDPOINT or the catalog' }); });
  if (!init.expect.includes(res.status)) {
    const body = (await res.text().catch(() => '')).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
    throw new AirgapError(`Glance at ${g.endpoint}: ${method} ${path}: HTTP ${res.status}${body ? `: ${body}` : ''}`);
  }
  return res;
}

/**
 * Glance v2: create the image record with its properties, upload the file streamed (hashed on
 * the way: md5, sha512 as Glance reports them, and sha256 for our evidence), then read the image
 * back and refuse the result unless Glance's checksum, os_hash_value and size are ours.
 */
export async function publishToGlance(g: ServiceAccess, file: string, spec: GlanceImageSpec, log: (m: string) => void = () => {}): Promise<PublishedImage> {
  const size = (await stat(file)).size;
  const properties = { ...DEFAULT_PROPERTIES, ...spec.properties };
  const created = await (await call(g, 'POST', '/v2/images', {
    expect: [201], headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: spec.name, disk_format: spec.diskFormat ?? 'qcow2', container_format: 'bare', visibility: spec.visibility ?? 'private', tags: spec.tags ?? [], ...properties }),
  })).json() as { id: string };
  log(`glance: image ${created.id} (${spec.name}): uploading ${basename(file)}, ${size} bytes`);
  const md5 = createHash('md5');
  const sha512 = createHash('sha512');
  const sha256 = createHash('sha256');
  const body = Readable.toWeb(Readable.from((async function* () {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      md5.update(chunk); sha512.update(chunk); sha256.update(chunk);
      yield chunk as Buffer;
    }
  })()));
  await call(g, 'PUT', `/v2/images/${created.id}/file`, { expect: [204], headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, body: body as ReadableStream, duplex: 'half' } as RequestInit & { expect: number[] });
  const ours = { checksum: md5.digest('hex'), osHashValue: sha512.digest('hex'), sha256: sha256.digest('hex') };
  const img = await (await call(g, 'GET', `/v2/images/${created.id}`, { expect: [200] })).json() as Record<string, unknown>;
  const problems = [
    img.status !== 'active' && `status is ${img.status}, not active`,
    img.size !== size && `size is ${img.size}, ours ${size}`,
    img.checksum !== ours.checksum && `checksum (md5) is ${img.checksum}, ours ${ours.checksum}`,
    img.os_hash_algo !== 'sha512' && `os_hash_algo is ${img.os_hash_algo}, expected sha512`,
    img.os_hash_value !== ours.osHashValue && `os_hash_value is ${String(img.os_hash_value).slice(0, 16)}…, ours ${ours.osHashValue.slice(0, 16)}…`,
    ...Object.entries(properties).filter(([k, v]) => img[k] !== v).map(([k, v]) => `property ${k} is ${String(img[k])}, sent ${v}`),
  ].filter(Boolean);
  if (problems.length) throw new AirgapError(`Glance image ${created.id} (${spec.name}) does not match what was sent: ${problems.join('; ')}`, { hint: 'the upload was altered or incomplete: delete the image and publish again' });
  return {
    id: created.id, name: spec.name, status: img.status as string, size, checksum: ours.checksum, osHashAlgo: 'sha512', osHashValue: ours.osHashValue, sha256: ours.sha256,
    properties: Object.fromEntries(Object.keys(properties).map((k) => [k, String(img[k])])),
  };
}
