import { z } from 'zod';
import { SHA256_HEX } from '../../util/hash.ts';
import { isSafeRelativePath } from '../../util/paths.ts';
import { artifactId } from '../fields.ts';
import { urlField } from '../url-field.ts';

const sha = z.string().regex(SHA256_HEX, 'a sha256 is 64 lowercase hex characters');
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits, . _ + - (no slashes)');
const relPath = z.string().refine(isSafeRelativePath, 'a relative path without .. or leading /');

/** A source tarball, a third-party binary, anything at a URL. `{arch}` in url/path fans out per arch. */
export const fileEntry = z.strictObject({
  name,
  url: urlField(),
  arches: z.array(z.string().regex(/^[a-z0-9_]+$/)).min(1).optional(),
  /** one pin, or one per arch */
  sha256: z.union([sha, z.record(z.string(), sha)]).optional(),
  version: z.string().optional(),
  /** where it lands in the raw repository; default `<name>/<file name of the url>` */
  path: relPath.optional(),
}).superRefine((e, ctx) => {
  const templated = e.url.includes('{arch}');
  if (templated && !e.arches) ctx.addIssue({ code: 'custom', path: ['arches'], message: 'url has {arch}: list the arches' });
  if (e.arches && !templated) ctx.addIssue({ code: 'custom', path: ['url'], message: 'arches are listed: put {arch} in the url' });
  if (e.sha256 && typeof e.sha256 === 'object') {
    if (!e.arches) ctx.addIssue({ code: 'custom', path: ['sha256'], message: 'a sha256 per arch needs arches' });
    for (const a of Object.keys(e.sha256)) if (!e.arches?.includes(a)) ctx.addIssue({ code: 'custom', path: ['sha256', a], message: `arch ${a} is not in arches` });
  }
});
export type FileEntry = z.infer<typeof fileEntry>;

export const fileLocked = z.strictObject({
  kind: z.literal('file'),
  id: artifactId,
  name,
  version: z.string(),
  url: z.string(),
  arch: z.string().regex(/^[a-z0-9_]+$/).optional(),
  sha256: sha,
  size: z.number().int().nonnegative().optional(),
  path: relPath,
});
export type FileLocked = z.infer<typeof fileLocked>;
