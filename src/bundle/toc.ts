import { z } from 'zod';
import { SHA256_HEX } from '../util/hash.ts';

export const TOC = 'toc.json';
export const TOC_SIG = 'toc.json.minisig';
export const SUMS = 'SHA256SUMS';
export const BUNDLE_LOCK = 'factory.lock.json';
export const TOC_FORMAT = 'airgap-bundle';
export const TOC_FORMAT_VERSION = 1;

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
export const volumeName = z.string().regex(/^volume-\d{4}\.tar$/);

/** toc.json: the one signed document; every other byte of a bundle is pinned through it. */
export const tocSchema = z.strictObject({
  format: z.literal(TOC_FORMAT),
  formatVersion: z.literal(TOC_FORMAT_VERSION),
  release: z.string(),
  created: z.iso.datetime(),
  lock: z.strictObject({ file: z.literal(BUNDLE_LOCK), sha256: z.string().regex(SHA256_HEX), size: z.number().int() }),
  volumeSize: z.number().int().positive(),
  volumes: z.array(z.strictObject({ name: volumeName, sha256: z.string().regex(SHA256_HEX), size: z.number().int(), blobs: z.number().int() })),
  blobs: z.array(z.strictObject({ digest, size: z.number().int().nonnegative(), volume: volumeName })),
  artifacts: z.array(z.strictObject({
    id: z.string(),
    kind: z.string(),
    name: z.string(),
    version: z.string(),
    digest,
    size: z.number().int().nonnegative(),
    volume: volumeName,
    blobs: z.array(digest).min(1),
  })),
});
export type Toc = z.infer<typeof tocSchema>;

/** Where a blob sits inside a volume: the same path as in the store and in an OCI layout. */
export const blobEntryName = (d: string) => `blobs/sha256/${d.slice('sha256:'.length)}`;
export const volumeFileName = (i: number) => `volume-${String(i + 1).padStart(4, '0')}.tar`;
