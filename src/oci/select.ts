import { createHash } from 'node:crypto';
import { AirgapError, FormatError } from '../util/errors.ts';
import { isIndex, parseJsonDoc, parseManifest, platformMatches, platformString, type Descriptor } from './media.ts';
import type { Manifest } from './client.ts';

export interface Selection { digest: string; mediaType: string; size: number; bytes?: Buffer }

/**
 * Pure: which manifest the gap gets for the wanted platforms. "all" keeps the upstream manifest
 * (an index keeps its digest). One platform of an index is that platform's manifest, pushed as
 * is. Several platforms of an index become a new index listing only them: its bytes are the
 * upstream JSON with the other entries removed, serialised the same way every time, so lock and
 * mirror compute the same digest.
 */
export function selectPlatforms(m: Manifest, platforms: 'all' | string[], what: string): Selection {
  if (platforms === 'all' || !isIndex(m.mediaType)) return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length, bytes: m.bytes };
  const doc = parseManifest(m.bytes, `${what}: index ${m.digest}`) as { manifests: Descriptor[] };
  if (!doc.manifests) throw new FormatError(`${what}: index ${m.digest}`, 'manifests', 'missing');
  const picked = doc.manifests.filter((d) => platforms.some((p) => platformMatches(d.platform, p)));
  const missing = platforms.filter((p) => !doc.manifests.some((d) => platformMatches(d.platform, p)));
  if (missing.length) {
    throw new AirgapError(`${what}: no ${missing.join(', ')} in the index (it has ${doc.manifests.map((d) => platformString(d.platform)).join(', ')})`, { exitCode: 2, hint: 'list platforms the image has, or platforms: all' });
  }
  if (picked.length === 1) return { digest: picked[0].digest, mediaType: picked[0].mediaType, size: picked[0].size };
  const bytes = Buffer.from(JSON.stringify({ ...doc, manifests: picked }));
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType: m.mediaType, size: bytes.length, bytes };
}

/** The platform a single image manifest is for, from its config blob. */
export function configPlatform(config: Buffer, where = 'image config'): Descriptor['platform'] {
  const c = parseJsonDoc(config, where) as { os?: string; architecture?: string; variant?: string };
  return c.os && c.architecture ? { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) } : undefined;
}

export { parseManifest };
