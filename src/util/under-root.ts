import { isAbsolute, relative, resolve } from 'node:path';
import { UnsafePathError } from './errors.ts';
import { unsafePathReason } from './paths.ts';

/**
 * The one way import turns names from a bundle into paths: `parts` joined under `root`, refused
 * (before anything is written) when the joined relative path is unsafe by unsafePathReason or
 * resolves outside root. The schemas verify checks already refuse such names; this is the wall
 * behind them, so a schema that is one day too lax cannot write outside the repository.
 */
export function underRoot(root: string, ...parts: string[]): string {
  const rel = parts.join('/');
  const why = unsafePathReason(rel);
  if (why) throw new UnsafePathError(root, rel, why);
  const abs = resolve(root, rel);
  const back = relative(resolve(root), abs);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) throw new UnsafePathError(root, rel, 'leaves the directory');
  return abs;
}
