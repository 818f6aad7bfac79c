import { z } from 'zod';
import { artifactId } from '../fields.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - (it names <name>.git)');

/** A repository at a ref: a branch, a tag, or a full commit id. */
export const gitEntry = z.strictObject({
  name,
  url: z.string().min(1),
  ref: z.string().min(1).regex(/^[^\s~^:?*[\\]+$/, 'a branch, tag or commit'),
});
export type GitEntry = z.infer<typeof gitEntry>;

export const gitLocked = z.strictObject({
  kind: z.literal('git'),
  id: artifactId,
  name,
  version: z.string(),
  url: z.string(),
  ref: z.string(),
  /** the full ref the bundle carries: refs/heads/…, refs/tags/… */
  refName: z.string().regex(/^refs\/(heads|tags)\/[^\s]+$/).refine(isRefName, 'a ref name git would accept (git check-ref-format)'),
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
});
export type GitLocked = z.infer<typeof gitLocked>;

/** git check-ref-format's rules: what a remote can name, and so all Env A ever writes here. */
function isRefName(ref: string): boolean {
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.$/.test(ref)) return false;
  return ref.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
}
