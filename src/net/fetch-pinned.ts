import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { openUrl } from './open-url.ts';
import { withRetry } from '../util/retry.ts';
import { digestOf, type Store, type Blob } from '../store/store.ts';
import { FetchError, redactUrl } from '../util/errors.ts';
import { cached, remember } from './download-cache.ts';

/**
 * Fetch a URL into the store under the sha256 the lock pinned (skip if present); different bytes
 * never get a name, and the error names `what`. Shared by every kind whose artifacts are files at
 * URLs (file, pypi, apt).
 */
export async function fetchPinned(url: string, sha256: string, store: Store, what: string, o: { log?: (m: string) => void; onBytes?: (n: number) => void } = {}): Promise<Blob> {
  const digest = digestOf(sha256);
  const present = await store.has(digest);
  if (present) return present;
  // the user's download cache, by the pinned sha256 only: the store checks the bytes again
  const hit = await cached(sha256);
  if (hit) {
    const blob = await store.ingest(hit, { expected: digest, what: `${what} (download cache)`, onBytes: o.onBytes }).catch(() => undefined);
    if (blob) return blob;
  }
  const blob = await withRetry(async () => {
    const remote = await openUrl(url);
    return store.ingest(remote.body, { expected: digest, what: `${what} (${redactUrl(url)})`, onBytes: o.onBytes });
  }, { onRetry: (n, why) => o.log?.(`mirror: ${what}: retry ${n}: ${why}`) });
  await remember(sha256, store.blobPath(digest));
  return blob;
}

/** Stream a URL and hash it, keeping nothing (lock must not need a store), or a copy at `saveTo`. */
export async function hashUrl(url: string, o: { saveTo?: string } = {}): Promise<{ sha256: string; size: number }> {
  return withRetry(async () => {
    const remote = await openUrl(url);
    const h = createHash('sha256');
    const out = o.saveTo ? await open(o.saveTo, 'w') : undefined;
    let size = 0;
    try {
      for await (const chunk of remote.body) {
        h.update(chunk);
        size += chunk.length;
        await out?.write(chunk);
      }
    } finally {
      await out?.close();
    }
    if (remote.size !== undefined && remote.size !== size) throw new FetchError(url, `connection ended after ${size} of ${remote.size} bytes`);
    return { sha256: h.digest('hex'), size };
  });
}
