import { z } from 'zod';
import { SHA256_HEX } from '../util/hash.ts';
import { releaseVersion } from '../manifest/version.ts';
import { artifactId } from '../kinds/fields.ts';

export const TOC = 'toc.json';
export const TOC_SIG = 'toc.json.minisig';
export const SUMS = 'SHA256SUMS';
export const BUNDLE_LOCK = 'factory.lock.json';
export const TOC_FORMAT = 'airgap-bundle';
export const TOC_FORMAT_VERSION = 1;

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
export const volumeName = z.string().regex(/^volume-\d{4}\.tar$/);

/**
 * toc.json: the one signed document; every other byte of a bundle is pinned through it. Env B
 * still reads it as untrusted (adr/0019): every field that names a path is as strict as Env A
 * writes it, and verify checks it against the lock before any volume is read.
 */
export const tocSchema = z.strictObject({
  format: z.literal(TOC_FORMAT),
  formatVersion: z.literal(TOC_FORMAT_VERSION),
  /** names .airgap/releases/<release>/ in the repository */
  release: releaseVersion,
  created: z.iso.datetime(),
  lock: z.strictObject({ file: z.literal(BUNDLE_LOCK), sha256: z.string().regex(SHA256_HEX), size: z.number().int().nonnegative() }),
  volumeSize: z.number().int().positive(),
  volumes: z.array(z.strictObject({ name: volumeName, sha256: z.string().regex(SHA256_HEX), size: z.number().int().nonnegative(), blobs: z.number().int().nonnegative() })),
  blobs: z.array(z.strictObject({ digest, size: z.number().int().nonnegative(), volume: volumeName })),
  artifacts: z.array(z.strictObject({
    id: artifactId,
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
