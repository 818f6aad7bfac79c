import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kind } from '../kind.ts';
import { pypiEntry, pypiLocked, type PypiEntry, type PypiLocked } from './schema.ts';
import { resolveTarget, targetName, filenameOf, isWheel } from './resolve.ts';
import { resolveWithSdists } from './sdists.ts';
import { hashUrl } from '../../net/fetch-pinned.ts';
import { pinnedFileSteps } from '../pinned-file.ts';
import { probePypi } from './probe.ts';
import { placeBlob } from '../../repository/link.ts';
import { normalize, simpleIndex, type IndexFile } from '../../pypi/simple.ts';
import { wheelMetadata } from '../../pypi/wheel.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic.ts';
import { sha256 } from '../../util/hash.ts';
import { underRoot } from '../../util/under-root.ts';

/** Files live in <repo>/pypi/packages/, sidecars with what the index needs in <repo>/pypi/.files/. */
const dirs = (repoRoot: string) => ({ packages: join(repoRoot, 'pypi', 'packages'), files: join(repoRoot, 'pypi', '.files') });

export const pypiKind: Kind<PypiEntry, PypiLocked> = {
  name: 'pypi',
  repository: { name: 'pypi', format: 'pypi' },
  entry: pypiEntry as never,
  locked: pypiLocked,

  /** One artifact per file; a file several targets share is one artifact naming them all. */
  async lock(entries, ctx) {
    const byFile = new Map<string, PypiLocked>();
    for (const e of entries) {
      const perTarget = e.sdists ? await resolveWithSdists(e, ctx.releaseDir, ctx.log) : undefined;
      for (const t of e.targets) {
        if (!perTarget) ctx.log(`lock: pip resolving ${e.name} for ${targetName(t)}`);
        for (const r of perTarget?.get(t) ?? await resolveTarget(e, t, ctx.releaseDir)) {
          const filename = filenameOf(r.url);
          const known = byFile.get(filename);
          if (known) {
            if (!known.targets.includes(targetName(t))) known.targets.push(targetName(t));
            continue;
          }
          const sha = r.sha256 ?? (await hashUrl(r.url)).sha256;
          byFile.set(filename, pypiLocked.parse({
            kind: 'pypi', id: `pypi:${filename}`, name: normalize(r.project), version: r.version, filename,
            url: r.url, sha256: sha, ...(r.requiresPython ? { requiresPython: r.requiresPython } : {}), targets: [targetName(t)],
          }));
        }
      }
    }
    return [...byFile.values()];
  },

  ...pinnedFileSteps<PypiLocked>(),
  probe: probePypi,

  /** The file, its PEP 658 metadata beside it, and a sidecar the index is built from. */
  async place(a, blobs, ctx) {
    const d = dirs(ctx.repoRoot);
    const target = underRoot(d.packages, a.filename);
    const sidecar = underRoot(d.files, `${a.filename}.json`);
    await placeBlob(ctx.store, blobs[0].digest, target, ctx.tmpDir);
    let metadataSha256: string | undefined;
    if (isWheel(a.filename)) {
      const meta = await wheelMetadata(target);
      if (meta) {
        await writeFileAtomic(`${target}.metadata`, meta);
        metadataSha256 = sha256(meta);
      }
    }
    const entry: IndexFile = { project: a.name, version: a.version, filename: a.filename, sha256: a.sha256, size: blobs[0].size, ...(a.requiresPython ? { requiresPython: a.requiresPython } : {}), ...(metadataSha256 ? { metadataSha256 } : {}) };
    await writeJsonAtomic(sidecar, entry);
    return [`pypi/packages/${a.filename}`];
  },

  /** Rebuild the static simple index from every file the repository holds (all releases). */
  async finalize(ctx) {
    const d = dirs(ctx.repoRoot);
    const files: IndexFile[] = [];
    for (const f of (await readdir(d.files).catch(() => [] as string[])).sort()) {
      if (f.endsWith('.json')) files.push(JSON.parse(await readFile(join(d.files, f), 'utf8')));
    }
    for (const [rel, text] of simpleIndex(files)) await writeFileAtomic(underRoot(ctx.repoRoot, 'pypi', rel), text);
  },
};
