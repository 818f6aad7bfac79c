import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockSchema, LOCK, type Lock } from './schema.ts';
import { UsageError, AirgapError } from '../util/errors.ts';
import { sha256 } from '../util/hash.ts';
import { issueText, namedIssues, type NamedIssue } from '../util/issues.ts';

/** Lock bytes checked without throwing: the lock, or every field that is wrong (verify lists them all). */
export function checkLock(text: string): { lock: Lock; issues?: undefined } | { lock?: undefined; issues: NamedIssue[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { issues: [{ field: '(file)', message: `not JSON: ${(err as Error).message}` }] };
  }
  const parsed = lockSchema().safeParse(raw);
  return parsed.success ? { lock: parsed.data as Lock } : { issues: namedIssues(raw, parsed.error) };
}

/** Parse lock bytes; the sha256 of exactly these bytes is what a bundle's TOC pins. */
export function parseLock(text: string, where: string): Lock {
  const r = checkLock(text);
  if (r.lock) return r.lock;
  const i = r.issues[0];
  throw new AirgapError(issueText(where, i), { hint: 'regenerate it with `airgap lock`' });
}

export async function readLock(releaseDir: string): Promise<{ lock: Lock; text: string; sha256: string; path: string }> {
  const path = join(releaseDir, LOCK);
  const text = await readFile(path, 'utf8').catch((err) => {
    throw new UsageError(`${path}: ${err.code === 'ENOENT' ? 'not found' : err.message}`, `run \`airgap lock ${releaseDir}\` first`);
  });
  return { lock: parseLock(text, path), text, sha256: sha256(text), path };
}
