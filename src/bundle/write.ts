import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readLock } from '../lock/read.ts';
import { kindOf } from '../kinds/index.ts';
import { Store, type Blob } from '../store/store.ts';
import { readSecretKey, keyIdHex, fingerprint } from '../trust/keys.ts';
import { signMinisign } from '../trust/minisign.ts';
import { removeTmp, writeAtomic, writeFileAtomic } from '../util/atomic.ts';
import { AirgapError } from '../util/errors.ts';
import { sha256 } from '../util/hash.ts';
import { progress } from '../util/progress.ts';
import { fileHeader, padding, END_OF_ARCHIVE } from '../tar/header.ts';
import { appendBytes, appendFile, writeback } from '../tar/write.ts';
import { planVolumes, type PlannedArtifact, type VolumePlan } from './plan.ts';
import { blobEntryName, BUNDLE_LOCK, SUMS, TOC, TOC_FORMAT, TOC_FORMAT_VERSION, TOC_SIG, tocSchema, type Toc } from './toc.ts';

export interface BundleOptions {
  releaseDir: string;
  storeRoot: string;
  outDir: string;
  volumeSize: number;
  keyPath: string;
  log: (m: string) => void;
}

export interface BundleResult {
  toc: Toc;
  tocSha256: string;
  signer: { keyId: string; fingerprint: string };
  outDir: string;
}

/** The trusted comment is built from the lock alone so that re-signing gives the same bytes. */
export const trustedComment = (toc: Toc, tocSha: string) =>
  `timestamp:${Math.floor(Date.parse(toc.created) / 1000)}\tfile:${TOC}\trelease:${toc.release}\tsha256:${tocSha}`;

/** mirror → bundle: volumes, toc.json, its minisign signature, SHA256SUMS. */
export async function writeBundle(o: BundleOptions): Promise<BundleResult> {
  const { lock, text: lockText, sha256: lockSha } = await readLock(o.releaseDir);
  const sk = await readSecretKey(o.keyPath); // before hours of I/O, not after
  const store = new Store(o.storeRoot);
  const planned: PlannedArtifact[] = [];
  const missing: string[] = [];
  for (const a of lock.artifacts) {
    const blobs = await kindOf(a).blobs(a, store);
    if (blobs) planned.push({ id: a.id, blobs });
    else missing.push(a.id);
  }
  if (missing.length) {
    throw new AirgapError(`not in the store ${o.storeRoot}: ${missing.join(', ')}`, { hint: `run \`airgap mirror ${o.releaseDir} --store ${o.storeRoot}\` first` });
  }
  const volumes = planVolumes(planned, o.volumeSize);
  await mkdir(o.outDir, { recursive: true });
  await clearOldBundle(o.outDir, new Set(volumes.map((v) => v.name)));

  const mtime = Math.floor(Date.parse(lock.created) / 1000);
  const total = volumes.reduce((n, v) => n + v.size, 0);
  const bar = progress('bundle', total);
  const volumeOf = new Map<string, string>();
  const tocVolumes: Toc['volumes'] = [];
  for (const v of volumes) {
    bar.item(v.name);
    const sha = await writeVolume(join(o.outDir, v.name), v, store, mtime, bar.add);
    tocVolumes.push({ name: v.name, sha256: sha, size: v.size, blobs: v.blobs.length });
    for (const b of v.blobs) volumeOf.set(b.digest, v.name);
  }
  bar.done();

  await writeFileAtomic(join(o.outDir, BUNDLE_LOCK), lockText);
  const toc: Toc = tocSchema.parse({
    format: TOC_FORMAT,
    formatVersion: TOC_FORMAT_VERSION,
    release: lock.version,
    created: lock.created,
    lock: { file: BUNDLE_LOCK, sha256: lockSha, size: Buffer.byteLength(lockText) },
    volumeSize: o.volumeSize,
    volumes: tocVolumes,
    blobs: volumes.flatMap((v) => v.blobs.map((b) => ({ digest: b.digest, size: b.size, volume: v.name }))),
    artifacts: lock.artifacts.map((a, i) => {
      const blobs = planned[i].blobs;
      return {
        id: a.id, kind: a.kind, name: a.name, version: a.version,
        digest: blobs[0].digest, size: blobs.reduce((n, b) => n + b.size, 0), volume: volumeOf.get(blobs[0].digest)!,
        blobs: blobs.map((b) => b.digest),
      };
    }),
  });
  const tocText = JSON.stringify(toc, null, 2) + '\n';
  const tocSha = sha256(tocText);
  await writeFileAtomic(join(o.outDir, TOC), tocText);
  await writeFileAtomic(join(o.outDir, TOC_SIG), signMinisign(Buffer.from(tocText), sk, trustedComment(toc, tocSha)));
  const sums = [...tocVolumes.map((v) => `${v.sha256}  ${v.name}`), `${sha256(lockText)}  ${BUNDLE_LOCK}`, `${tocSha}  ${TOC}`];
  await writeFileAtomic(join(o.outDir, SUMS), sums.join('\n') + '\n');
  return { toc, tocSha256: tocSha, signer: { keyId: keyIdHex(sk.pub.keyId), fingerprint: fingerprint(sk.pub.raw) }, outDir: o.outDir };
}

/**
 * A rerun must not leave a volume from an older, larger bundle beside the new one, nor the
 * partial volume of a run that was killed (up to a volume's size, on the medium beside a bundle
 * that verifies: issue 15).
 *
 * The temporaries stay in the output directory, and every run removes those it finds: only there
 * is the final rename sure to be on the same file system, and so atomic, when --out is the mount
 * point of the medium itself (a sibling directory or the store's tmp/ would be another file
 * system: a copy, not a rename). A bundle directory has one writer at a time (this function
 * already deletes its toc), so a temporary found at the start is a dead run's, whatever its pid.
 */
async function clearOldBundle(dir: string, keep: Set<string>) {
  await removeTmp(dir);
  for (const name of [TOC, TOC_SIG, SUMS]) await rm(join(dir, name), { force: true });
  for (const name of await readdir(dir)) {
    if (/^volume-\d{4}\.tar$/.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
  }
}

async function writeVolume(path: string, v: VolumePlan, store: Store, mtime: number, onBytes: (n: number) => void): Promise<string> {
  const h = createHash('sha256');
  await writeAtomic(path, async (fh) => {
    const wb = writeback(fh);
    let pos = 0;
    for (const b of v.blobs) {
      const src = store.blobPath(b.digest);
      const actual = (await stat(src)).size;
      if (actual !== b.size) throw new AirgapError(`store blob ${b.digest} is ${actual} bytes, expected ${b.size}`, { hint: 'the store was changed under us; rerun mirror' });
      pos = await appendBytes(fh, pos, fileHeader(blobEntryName(b.digest), b.size, mtime), h);
      const end = await appendFile(fh, pos, src, h, onBytes, wb);
      if (end - pos !== b.size) throw new AirgapError(`store blob ${b.digest} changed while bundling`);
      pos = await appendBytes(fh, end, Buffer.alloc(padding(b.size)), h);
    }
    pos = await appendBytes(fh, pos, END_OF_ARCHIVE, h);
    await wb.done();
    if (pos !== v.size) throw new Error(`internal: volume ${v.name} is ${pos} bytes, planned ${v.size}`);
  });
  return h.digest('hex');
}

export type { Blob };
