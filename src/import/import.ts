import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyBundle, type VerifyResult } from '../verify/verify.ts';
import { carriedKinds, checkImportOptions, kindOf, repositoriesOf } from '../kinds/index.ts';
import { Repository } from '../repository/layout.ts';
import { Journal } from './journal.ts';
import { newerReleases } from './rollback.ts';
import { TarParser } from '../tar/parser.ts';
import { readChunks, sha256File } from '../util/hash.ts';
import { cleanStaleTmp } from '../util/atomic.ts';
import { AirgapError } from '../util/errors.ts';
import { progress } from '../util/progress.ts';
import { blobEntryName, BUNDLE_LOCK, TOC, type Toc } from '../bundle/toc.ts';
import type { BlobWriter, Blob } from '../store/store.ts';

export interface ImportResult {
  verify: VerifyResult;
  release: string;
  tocSha256: string;
  lockSha256: string;
  repository: string;
  journal: string;
  blobs: { imported: number; present: number; rechecked: number };
  artifacts: { id: string; kind: string; digest: string; placed: string[] }[];
}

/**
 * verify → import: nothing is written unless the whole bundle verifies. Blobs stream out of the
 * volumes into the repository's store (each checked against its digest as it lands), then every
 * artifact is placed by its kind, then every blob is hashed again where it now lies. A rerun after
 * a crash skips what is already whole and finishes the rest.
 */
export async function importBundle(bundleDir: string, trust: string[], repoRoot: string, log: (m: string) => void, options: Readonly<Record<string, string | undefined>> = {}, allowRollback = false): Promise<ImportResult> {
  const verify = await verifyBundle(bundleDir, trust);
  if (!verify.ok || !verify.toc || !verify.lock) {
    throw Object.assign(new AirgapError(`bundle ${bundleDir} failed verification; nothing imported:\n${verify.problems.map((p) => `  ${[p.volume, p.artifact].filter(Boolean).join(' ')}${p.volume || p.artifact ? ': ' : ''}${p.message}`).join('\n')}`), { verify });
  }
  const toc = verify.toc;
  const lock = verify.lock;
  // an option a carried kind needs (a signing key…) is asked for before anything is written
  checkImportOptions(lock.artifacts, options);
  const repo = new Repository(repoRoot);
  const journal = new Journal(repo.journalPath);
  // Before the first write: a rollback is refused, or recorded when it is meant.
  const newer = await newerReleases(repo, toc.release);
  if (newer.length && !allowRollback) {
    throw new AirgapError(`${toc.release} is older than ${newer.join(', ')}, already imported into ${repoRoot}; nothing imported`, {
      hint: 'importing it would serve the older release\'s bytes under the same names (a rollback); pass --allow-rollback if that is what you mean',
    });
  }
  await mkdir(repo.meta, { recursive: true });
  await cleanStaleTmp(repo.tmpDir);
  await journal.append({ event: 'begin', release: toc.release, toc: verify.tocSha256!, ...(newer.length ? { rollbackOver: newer } : {}) });

  let imported = 0;
  let present = 0;
  const bar = progress('import', toc.volumes.reduce((n, v) => n + v.size, 0));
  for (const v of toc.volumes) {
    bar.item(v.name);
    const wanted = new Map<string, { digest: string; size: number }>();
    for (const b of toc.blobs) {
      if (b.volume !== v.name) continue;
      if (await repo.store.has(b.digest)) present++;
      else wanted.set(blobEntryName(b.digest), b);
    }
    if (wanted.size === 0) { bar.add(v.size); continue; }
    imported += await extractVolume(join(bundleDir, v.name), wanted, repo, journal, v.name, bar.add);
  }
  bar.done();

  const blobsOf = new Map(toc.blobs.map((b) => [b.digest, b]));
  const artifacts: ImportResult['artifacts'] = [];
  const ctx = { repoRoot, store: repo.store, log, tmpDir: repo.tmpDir, options };
  for (const a of lock.artifacts) {
    const entry = toc.artifacts.find((t) => t.id === a.id)!;
    const blobs: Blob[] = entry.blobs.map((d) => ({ digest: d, size: blobsOf.get(d)!.size }));
    const placed = await kindOf(a).place(a, blobs, ctx);
    await journal.append({ event: 'placed', release: toc.release, artifact: a.id, paths: placed });
    artifacts.push({ id: a.id, kind: a.kind, digest: entry.digest, placed });
  }

  for (const { kind } of carriedKinds(lock.artifacts)) await kind.finalize?.(ctx);

  // Re-hash where the bytes now lie: the proof is about the repository, not the media.
  let rechecked = 0;
  for (const b of toc.blobs) {
    const { sha256 } = await sha256File(repo.store.blobPath(b.digest));
    if (`sha256:${sha256}` !== b.digest) throw new AirgapError(`repository blob ${b.digest} reads back as sha256:${sha256}`, { hint: 'the disk under the repository is failing or something else writes there' });
    rechecked++;
  }
  const rel = repo.releaseDir(toc.release);
  await mkdir(rel, { recursive: true });
  for (const f of [TOC, BUNDLE_LOCK]) await copyFile(join(bundleDir, f), join(rel, f));
  await repo.addRepositories(repositoriesOf(lock.artifacts));
  await journal.append({ event: 'end', release: toc.release, toc: verify.tocSha256!, ok: true });
  return {
    verify, release: toc.release, tocSha256: verify.tocSha256!, lockSha256: verify.lockSha256!, repository: repoRoot,
    journal: repo.journalPath, blobs: { imported, present, rechecked }, artifacts,
  };
}

/** Stream one volume, writing only the wanted entries; each blob appears whole or not at all. */
async function extractVolume(path: string, wanted: Map<string, { digest: string; size: number }>, repo: Repository, journal: Journal, volume: string, onBytes: (n: number) => void): Promise<number> {
  // The parser calls back synchronously; the file work is queued on one chain, in order, and the
  // chain is drained before the read buffer is reused, so chunks need no copying.
  let chain: Promise<unknown> = Promise.resolve();
  const then = (op: () => Promise<unknown>) => { chain = chain.then(op); };
  let writer: BlobWriter | undefined;
  let active = false;
  let count = 0;
  const found = new Set<string>();
  const parser = new TarParser({
    entry: (e) => {
      const b = wanted.get(e.name);
      if (b) found.add(e.name);
      active = Boolean(b);
      if (b) then(async () => { writer = await repo.store.writer({ expected: b.digest, expectedSize: b.size, what: `${volume}: ${e.name}` }); });
    },
    data: (chunk) => { if (active) then(() => writer!.write(chunk)); },
    entryEnd: () => {
      if (!active) return;
      active = false;
      then(async () => {
        const blob = await writer!.commit();
        writer = undefined;
        await journal.append({ event: 'blob', digest: blob.digest, size: blob.size, volume });
        count++;
      });
    },
  });
  try {
    await readChunks(path, async (chunk) => {
      parser.push(chunk);
      onBytes(chunk.length);
      await chain;
    });
    parser.end();
    const lost = [...wanted.keys()].filter((n) => !found.has(n));
    if (lost.length) throw new AirgapError(`${volume}: ${lost.join(', ')} not in the volume (it changed since verify?)`, { hint: 'verify the media again; rerun import to finish' });
  } catch (err) {
    await chain.catch(() => undefined);
    await writer?.abort();
    throw err;
  }
  return count;
}
