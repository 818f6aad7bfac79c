import { placeBlob } from '../../repository/link.ts';
import type { Kind } from '../kind.ts';
import { fileEntry, fileLocked, type FileEntry, type FileLocked } from './schema.ts';
import { hashUrl } from '../../net/fetch-pinned.ts';
import { pinnedFileSteps } from '../pinned-file.ts';
import { probeFile } from './probe.ts';
import { mapLimit } from '../../util/concurrency.ts';
import { urlBasename } from '../../util/paths.ts';
import { underRoot } from '../../util/under-root.ts';
import { AirgapError } from '../../util/errors.ts';

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
        ({ sha256: pinned, size } = await hashUrl(url).catch((err: Error) => {
          throw new AirgapError(`file ${entry.name}: ${err.message}`, { hint: 'lock needs every file reachable from here (Env A); fix the URL or its source' });
        }));
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

  ...pinnedFileSteps<FileLocked>(),

  async place(a, blobs, ctx) {
    await placeBlob(ctx.store, blobs[0].digest, underRoot(ctx.repoRoot, 'raw', a.path), ctx.tmpDir);
    return [`raw/${a.path}`];
  },

  probe: probeFile,
};
