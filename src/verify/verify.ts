import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tocSchema, TOC, TOC_SIG, BUNDLE_LOCK, type Toc } from '../bundle/toc.ts';
import { checkLock } from '../lock/read.ts';
import { issueText, namedIssues } from '../util/issues.ts';
import { tocLockProblems } from './consistency.ts';
import type { Lock } from '../lock/schema.ts';
import { readPublicKey, fingerprint, keyIdHex, type PublicKey } from '../trust/keys.ts';
import { verifyMinisign } from '../trust/minisign.ts';
import { sha256 } from '../util/hash.ts';
import { mapLimit } from '../util/concurrency.ts';
import { progress } from '../util/progress.ts';
import type { Problem } from '../evidence/schemas.ts';
import { Worker } from 'node:worker_threads';
import { checkVolume, type VolumeCheck } from './volume.ts';

/** checkVolume on a worker thread (volume-worker.ts), so volumes checked together use a core each. */
function checkVolumeOnThread(path: string, expected: Map<string, number>, onBytes: (n: number) => void): Promise<VolumeCheck> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./volume-worker.ts', import.meta.url), { workerData: { path, expected: [...expected] } });
    let result: VolumeCheck | undefined;
    w.on('message', (m: { bytes: number; result?: VolumeCheck }) => {
      onBytes(m.bytes);
      if (m.result) result = m.result;
    });
    w.on('error', reject);
    w.on('exit', (code) => (result ? resolve(result) : reject(new Error(`volume check of ${path} stopped (exit ${code})`))));
  });
}

export interface VerifyResult {
  ok: boolean;
  bundleDir: string;
  toc?: Toc;
  tocSha256?: string;
  lock?: Lock;
  lockSha256?: string;
  key?: { keyId?: string; fingerprint?: string };
  volumes: { name: string; ok: boolean; size?: number; sha256?: string }[];
  problems: Problem[];
}

/**
 * Fail closed, write nothing: the signature over toc.json against the trusted keys, then the TOC
 * and the lock it pins as untrusted content (their schemas, and each other: consistency.ts), then
 * every volume (size, sha256, tar safety, completeness). Volumes are checked two at a time, each
 * on its own worker thread (hashing is synchronous: on the main thread two volumes would share
 * one core).
 */
export async function verifyBundle(bundleDir: string, trustPaths: string[]): Promise<VerifyResult> {
  const problems: Problem[] = [];
  const result: VerifyResult = { ok: false, bundleDir, volumes: [], problems };
  const trusted: PublicKey[] = [];
  for (const p of trustPaths) trusted.push(await readPublicKey(p));

  const tocBytes = await readFile(join(bundleDir, TOC)).catch(() => undefined);
  // bytes, not text: minisign reads the file as bytes, and so must we (a decoder would mend it)
  const sigText = await readFile(join(bundleDir, TOC_SIG)).catch(() => undefined);
  if (!tocBytes) problems.push({ message: `${TOC} is missing from ${bundleDir}` });
  if (!sigText) problems.push({ message: `${TOC_SIG} is missing from ${bundleDir}` });
  if (!tocBytes || !sigText) return result;

  const sig = verifyMinisign(tocBytes, sigText, trusted);
  if (!sig.ok) {
    result.key = sig.keyId ? { keyId: sig.keyId } : undefined;
    problems.push({ message: `${TOC_SIG}: ${sig.reason}` });
    return result;
  }
  const key = trusted.find((k) => keyIdHex(k.keyId) === sig.keyId)!;
  result.key = { keyId: sig.keyId, fingerprint: fingerprint(key.raw) };
  result.tocSha256 = sha256(tocBytes);

  // Signed is not the same as right (adr/0019): from here on the TOC and the lock are untrusted input.
  let raw: unknown;
  try {
    raw = JSON.parse(tocBytes.toString('utf8'));
  } catch (err) {
    problems.push({ message: `${TOC}: signed, but not JSON: ${(err as Error).message}` });
    return result;
  }
  const parsed = tocSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of namedIssues(raw, parsed.error)) problems.push({ ...(i.artifact ? { artifact: i.artifact } : {}), message: issueText(TOC, i) });
    return result;
  }
  const toc = (result.toc = parsed.data);

  const lockText = await readFile(join(bundleDir, BUNDLE_LOCK), 'utf8').catch(() => undefined);
  if (lockText === undefined) problems.push({ message: `${BUNDLE_LOCK} is missing` });
  else if (sha256(lockText) !== toc.lock.sha256) problems.push({ message: `${BUNDLE_LOCK}: sha256 does not match the TOC` });
  else {
    const checked = checkLock(lockText);
    if (checked.issues) {
      for (const i of checked.issues) problems.push({ ...(i.artifact ? { artifact: i.artifact } : {}), message: issueText(BUNDLE_LOCK, i) });
    } else {
      result.lock = checked.lock;
      result.lockSha256 = toc.lock.sha256;
      problems.push(...tocLockProblems(toc, checked.lock, Buffer.byteLength(lockText)));
    }
  }
  // Where every blob is and what each artifact is come from the TOC: no volume is read unless they hold.
  if (problems.length) return result;

  const listed = new Set(toc.volumes.map((v) => v.name));
  for (const name of await readdir(bundleDir)) {
    if (/^volume-\d{4}\.tar$/.test(name) && !listed.has(name)) problems.push({ volume: name, message: 'not listed in the TOC (left from another bundle?)' });
  }
  const total = toc.volumes.reduce((n, v) => n + v.size, 0);
  const bar = progress('verify', total);
  result.volumes = await mapLimit(toc.volumes, 2, async (v) => {
    const path = join(bundleDir, v.name);
    const bad = (message: string) => { problems.push({ volume: v.name, message }); return { name: v.name, ok: false }; };
    const st = await stat(path).catch(() => undefined);
    if (!st) return bad('missing');
    if (st.size !== v.size) return bad(`${st.size} bytes, TOC says ${v.size}${st.size < v.size ? ' (truncated)' : ''}`);
    const expected = new Map(toc.blobs.filter((b) => b.volume === v.name).map((b) => [b.digest, b.size]));
    // One volume gains nothing from a thread but the thread's start-up (~0.1 s of module load).
    const check = await (toc.volumes.length > 1 ? checkVolumeOnThread : checkVolume)(path, expected, bar.add);
    for (const m of check.problems) problems.push({ volume: v.name, message: m });
    if (check.sha256 !== v.sha256) problems.push({ volume: v.name, message: `sha256 ${check.sha256} does not match the TOC (${v.sha256})` });
    const ok = check.problems.length === 0 && check.sha256 === v.sha256;
    return { name: v.name, ok, size: st.size, sha256: check.sha256 };
  });
  bar.done();
  const badVolumes = new Set(result.volumes.filter((v) => !v.ok).map((v) => v.name));
  const volumeOf = new Map(toc.blobs.map((b) => [b.digest, b.volume]));
  for (const a of toc.artifacts) {
    const vols = new Set(a.blobs.map((d) => volumeOf.get(d)!));
    const hit = [...vols].filter((x) => badVolumes.has(x));
    if (hit.length) problems.push({ artifact: a.id, message: `damaged: in ${hit.join(', ')}` });
  }
  result.ok = problems.length === 0;
  return result;
}
