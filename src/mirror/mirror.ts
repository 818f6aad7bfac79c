import { readLock } from '../lock/read.ts';
import { kindOf } from '../kinds/index.ts';
import { Store, type Blob } from '../store/store.ts';
import { cleanStaleTmp } from '../util/atomic.ts';
import { mapLimit } from '../util/concurrency.ts';
import { progress } from '../util/progress.ts';

export interface MirrorResult {
  lockSha256: string;
  version: string;
  bytesFetched: number;
  artifacts: { id: string; fetched: boolean; blobs: Blob[] }[];
}

/**
 * lock → mirror: fetch every pinned artifact into the content-addressed store. What is already
 * there is skipped, so a rerun after a crash or a kill only fetches the rest.
 */
export async function mirrorRelease(releaseDir: string, storeRoot: string, log: (m: string) => void, concurrency = 4): Promise<MirrorResult> {
  const { lock, sha256 } = await readLock(releaseDir);
  const store = new Store(storeRoot);
  await cleanStaleTmp(store.tmpDir);
  const known = lock.artifacts.reduce((n, a) => n + (((a as { size?: number }).size) ?? 0), 0);
  const bar = progress('mirror', known || undefined);
  let bytesFetched = 0;
  const artifacts = await mapLimit(lock.artifacts, concurrency, async (a) => {
    const kind = kindOf(a);
    const before = await kind.blobs(a, store);
    if (before) {
      bar.add(before.reduce((n, b) => n + b.size, 0));
      return { id: a.id, fetched: false, blobs: before };
    }
    bar.item(a.id);
    const blobs = await kind.mirror(a, { releaseDir, store, log, onBytes: (n) => { bytesFetched += n; bar.add(n); } });
    log(`mirror: ${a.id} ${blobs[0].digest}`);
    return { id: a.id, fetched: true, blobs };
  });
  bar.done();
  return { lockSha256: sha256, version: lock.version, bytesFetched, artifacts };
}
