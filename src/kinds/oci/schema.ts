import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');
const platform = z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, 'os/arch[/variant], e.g. linux/amd64');
const target = z.string().regex(/^[a-z0-9]+(?:[._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'repository:tag, e.g. kolla/base:2024.1');

/** A container image by tag or digest, and which platforms to carry. */
export const ociEntry = z.strictObject({
  name,
  image: z.string().min(1),
  /** default [linux/amd64]; "all" keeps a multi-arch index whole (same digest as upstream) */
  platforms: z.union([z.literal('all'), z.array(platform).min(1)]).default(['linux/amd64']),
  /** repository:tag inside the gap; default the source's repository and tag */
  as: target.optional(),
  /** plain HTTP to a registry that is not on loopback */
  insecure: z.boolean().optional(),
});
export type OciEntry = z.infer<typeof ociEntry>;

export const ociLocked = z.strictObject({
  kind: z.literal('oci'),
  id: z.string(),
  name,
  version: z.string(),
  image: z.string(),
  registry: z.string(),
  repository: z.string(),
  /** what the reference resolved to upstream */
  sourceDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** what will be pushed: the upstream digest, one platform's manifest, or a filtered index */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  mediaType: z.string(),
  size: z.number().int().positive(),
  platforms: z.union([z.literal('all'), z.array(z.string())]),
  target,
  insecure: z.boolean().optional(),
});
export type OciLocked = z.infer<typeof ociLocked>;
