import { fetchPinned } from '../net/fetch-pinned.ts';
import { digestOf } from '../store/store.ts';
import type { Kind, LockedBase } from './kind.ts';
import { redactUrl } from '../util/errors.ts';

/**
 * mirror and blobs for kinds whose artifact is one file at a URL pinned by sha256 (file, pypi,
 * apt): the store holds it under that hash, nothing else to remember.
 */
export function pinnedFileSteps<L extends LockedBase & { url: string; sha256: string; size?: number }>(): Pick<Kind<unknown, L>, 'mirror' | 'blobs' | 'pinnedRoot' | 'describe'> {
  return {
    async mirror(a, ctx) {
      return [await fetchPinned(a.url, a.sha256, ctx.store, a.id, ctx)];
    },
    describe: (a) => ({ pin: a.sha256, source: redactUrl(a.url) }),
    pinnedRoot: (a) => ({ digest: digestOf(a.sha256), ...(a.size !== undefined ? { size: a.size } : {}) }),
    async blobs(a, store) {
      const blob = await store.has(digestOf(a.sha256));
      return blob ? [blob] : undefined;
    },
  };
}
