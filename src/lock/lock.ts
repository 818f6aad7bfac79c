import { join } from 'node:path';
import { loadManifest } from '../manifest/load.ts';
import { kinds } from '../kinds/index.ts';
import { generators } from '../generators/index.ts';
import type { LockedBase, StepContext } from '../kinds/kind.ts';
import { LOCK, LOCK_VERSION, type Lock } from './schema.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { sha256 } from '../util/hash.ts';
import { UsageError } from '../util/errors.ts';

/** The lock's one timestamp: SOURCE_DATE_EPOCH when set (reproducible locks), else now. */
export function lockTime(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined) {
    if (!/^\d+$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds, got "${epoch}"`);
    return new Date(Number(epoch) * 1000).toISOString();
  }
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
}

export function serializeLock(lock: Lock): string {
  return JSON.stringify(lock, null, 2) + '\n';
}

/** declare → lock: resolve every entry of every kind to pinned artifacts and write the lock. */
export async function lockRelease(releaseDir: string, log: (m: string) => void): Promise<{ lock: Lock; text: string; sha256: string; path: string }> {
  const { manifest, text: manifestText } = await loadManifest(releaseDir);
  const ctx: StepContext = { releaseDir, log };
  const artifacts: LockedBase[] = [];
  // generators first: what they expand into is locked with the declared entries of each kind
  const generated: Record<string, unknown[]> = {};
  const declared: Record<string, unknown[]> = {};
  for (const g of generators) {
    const entries = (manifest[g.name] as unknown[] | undefined) ?? [];
    if (!entries.length) continue;
    declared[g.name] = entries;
    for (const [kind, list] of Object.entries(await g.expand(entries, ctx))) {
      const k = kinds.find((x) => x.name === kind);
      if (!k) throw new Error(`internal: generator ${g.name} made entries of unknown kind ${kind}`);
      (generated[kind] ??= []).push(...list.map((x) => k.entry.parse(x)));
    }
  }
  for (const kind of kinds) {
    const entries = [...((manifest[kind.name] as unknown[] | undefined) ?? []), ...(generated[kind.name] ?? [])];
    if (entries.length) artifacts.push(...(await kind.lock(entries, ctx)));
  }
  artifacts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < artifacts.length; i++) {
    if (artifacts[i].id === artifacts[i - 1].id) throw new UsageError(`two entries lock to the same id "${artifacts[i].id}"`, 'give each entry its own name');
  }
  const lock: Lock = { lockVersion: LOCK_VERSION, version: manifest.version, created: lockTime(), manifestSha256: sha256(manifestText), artifacts, ...(manifest.build ? { build: manifest.build } : {}), ...(Object.keys(declared).length ? { generators: declared } : {}) };
  const text = serializeLock(lock);
  const path = join(releaseDir, LOCK);
  await writeFileAtomic(path, text);
  return { lock, text, sha256: sha256(text), path };
}
