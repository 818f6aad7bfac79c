import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockSchema, LOCK, type Lock } from './schema.ts';
import { UsageError, AirgapError } from '../util/errors.ts';
import { sha256 } from '../util/hash.ts';

/** Parse lock bytes; the sha256 of exactly these bytes is what a bundle's TOC pins. */
export function parseLock(text: string, where: string): Lock {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AirgapError(`${where}: not JSON: ${(err as Error).message}`);
  }
  const parsed = lockSchema().safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new AirgapError(`${where}: ${i.path.join('.')}: ${i.message}`, { hint: 'regenerate it with `airgap lock`' });
  }
  return parsed.data as Lock;
}

export async function readLock(releaseDir: string): Promise<{ lock: Lock; text: string; sha256: string; path: string }> {
  const path = join(releaseDir, LOCK);
  const text = await readFile(path, 'utf8').catch((err) => {
    throw new UsageError(`${path}: ${err.code === 'ENOENT' ? 'not found' : err.message}`, `run \`airgap lock ${releaseDir}\` first`);
  });
  return { lock: parseLock(text, path), text, sha256: sha256(text), path };
}
