import { link, mkdir, rename, rm, copyFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Kind } from '../kind.ts';
import { fileEntry, fileLocked, type FileEntry, type FileLocked } from './schema.ts';
import { openUrl } from '../../net/open-url.ts';
import { withRetry } from '../../util/retry.ts';
import { mapLimit } from '../../util/concurrency.ts';
import { urlBasename } from '../../util/paths.ts';
import { digestOf } from '../../store/store.ts';
import { FetchError } from '../../util/errors.ts';

const VERSION_IN_NAME = /(\d+(?:\.\d+)+(?:[-.~+]?[A-Za-z0-9]+)*?)(?=\.(?:tar|tgz|tbz2|txz|zip|gz|xz|bz2|zst|whl|deb|rpm)\b|$)/;

function expand(entry: FileEntry): { arch?: string; url: string; path: string; sha256?: string }[] {
  const arches = entry.arches ?? [undefined];
  return arches.map((arch) => {
    const sub = (s: string) => (arch ? s.replaceAll('{arch}', arch) : s);
    const url = sub(entry.url);
    const sha256 = typeof entry.sha256 === 'string' ? entry.sha256 : arch ? entry.sha256?.[arch] : undefined;
    return { arch, url, path: sub(entry.path ?? `${entry.name}/${urlBasename(url)}`), sha256 };
  });
}

/** Stream the URL and hash it, keeping nothing: lock must not need a store. */
async function hashUrl(url: string): Promise<{ sha256: string; size: number }> {
  return withRetry(async () => {
    const remote = await openUrl(url);
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of remote.body) { h.update(chunk); size += chunk.length; }
    if (remote.size !== undefined && remote.size !== size) throw new FetchError(url, `connection ended after ${size} of ${remote.size} bytes`);
    return { sha256: h.digest('hex'), size };
  });
}

export const fileKind: Kind<FileEntry, FileLocked> = {
  name: 'file',
  repository: { name: 'raw', format: 'raw' },
  entry: fileEntry,
  locked: fileLocked,

  async lock(entries, ctx) {
    const jobs = entries.flatMap((entry) => expand(entry).map((x) => ({ entry, ...x })));
    return mapLimit(jobs, 4, async ({ entry, arch, url, path, sha256 }) => {
      let pinned = sha256;
      let size: number | undefined;
      if (!pinned) {
        ctx.log(`lock: hashing ${url}`);
        ({ sha256: pinned, size } = await hashUrl(url));
      }
      return fileLocked.parse({
        kind: 'file',
        id: `file:${entry.name}${arch ? `:${arch}` : ''}`,
        name: entry.name,
        version: entry.version ?? VERSION_IN_NAME.exec(urlBasename(url))?.[1] ?? 'unversioned',
        url,
        ...(arch ? { arch } : {}),
        sha256: pinned,
        ...(size !== undefined ? { size } : {}),
        path,
      });
    });
  },

  async mirror(a, ctx) {
    const digest = digestOf(a.sha256);
    const present = await ctx.store.has(digest);
    if (present) return [present];
    const blob = await withRetry(async () => {
      const remote = await openUrl(a.url);
      return ctx.store.ingest(remote.body, { expected: digest, what: `${a.id} (${a.url})`, onBytes: ctx.onBytes });
    }, { onRetry: (n, why) => ctx.log(`mirror: ${a.id}: retry ${n}: ${why}`) });
    return [blob];
  },

  async blobs(a, store) {
    const blob = await store.has(digestOf(a.sha256));
    return blob ? [blob] : undefined;
  },

  async place(a, blobs, ctx) {
    const target = join(ctx.repoRoot, 'raw', a.path);
    await mkdir(dirname(target), { recursive: true });
    await mkdir(ctx.tmpDir, { recursive: true });
    // A hard link costs no space and no copy; rename makes it appear whole or not at all.
    const tmp = join(ctx.tmpDir, `.tmp-${process.pid}-${a.sha256.slice(0, 16)}`);
    await rm(tmp, { force: true });
    const blob = ctx.store.blobPath(blobs[0].digest);
    const [have, want] = await Promise.all([stat(target).catch(() => undefined), stat(blob)]);
    if (have && have.ino === want.ino && have.dev === want.dev) return [`raw/${a.path}`];
    await link(blob, tmp).catch(() => copyFile(blob, tmp));
    await rename(tmp, target);
    return [`raw/${a.path}`];
  },
};
