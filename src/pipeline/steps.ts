import { lockRelease } from '../lock/lock.ts';
import { mirrorRelease } from '../mirror/mirror.ts';
import { writeBundle } from '../bundle/write.ts';
import { verifyBundle } from '../verify/verify.ts';
import { importBundle } from '../import/import.ts';
import { writeEvidence } from '../evidence/write.ts';
import { RELEASE_VERSION } from '../manifest/version.ts';
import { describeArtifact } from '../kinds/index.ts';

/**
 * Each pipeline step as the CLI, the runbooks and the demo run it: the work, then its evidence in
 * results/<version>/<step>.json. The evidence is written even when a check fails (verify), because
 * a refusal is a result too.
 */
export interface StepOptions { resultsDir: string; log: (m: string) => void }

export async function lockStep(releaseDir: string, o: StepOptions) {
  const r = await lockRelease(releaseDir, o.log);
  const evidence = await writeEvidence(o.resultsDir, 'lock', {
    version: r.lock.version, lockSha256: r.sha256, manifestSha256: r.lock.manifestSha256, created: r.lock.created,
    artifacts: r.lock.artifacts.map((a) => ({ id: a.id, kind: a.kind, name: a.name, version: a.version, ...describeArtifact(a) })),
  });
  return { ...r, evidence };
}

export async function mirrorStep(releaseDir: string, storeRoot: string, o: StepOptions) {
  const t = Date.now();
  const r = await mirrorRelease(releaseDir, storeRoot, o.log);
  const evidence = await writeEvidence(o.resultsDir, 'mirror', {
    version: r.version, lockSha256: r.lockSha256, durationMs: Date.now() - t, bytesFetched: r.bytesFetched, artifacts: r.artifacts,
  });
  return { ...r, evidence };
}

export async function bundleStep(opts: { releaseDir: string; storeRoot: string; outDir: string; volumeSize: number; keyPath: string }, o: StepOptions) {
  const t = Date.now();
  const r = await writeBundle({ ...opts, log: o.log });
  const evidence = await writeEvidence(o.resultsDir, 'bundle', {
    version: r.toc.release, lockSha256: r.toc.lock.sha256, tocSha256: r.tocSha256, signer: r.signer, volumeSize: r.toc.volumeSize,
    volumes: r.toc.volumes, artifacts: r.toc.artifacts.map((a) => ({ id: a.id, kind: a.kind, digest: a.digest, size: a.size, volume: a.volume })), bytes: r.toc.volumes.reduce((n, v) => n + v.size, 0), durationMs: Date.now() - t,
  });
  return { ...r, evidence };
}

export async function verifyStep(bundleDir: string, trust: string[], o: StepOptions) {
  const t = Date.now();
  const r = await verifyBundle(bundleDir, trust);
  // Evidence goes under the release the TOC names only when the TOC is signed; otherwise "unverified".
  const version = r.toc && RELEASE_VERSION.test(r.toc.release) ? r.toc.release : 'unverified';
  const evidence = await writeEvidence(o.resultsDir, 'verify', {
    version, ok: r.ok, tocSha256: r.tocSha256, lockSha256: r.lockSha256, key: r.key, volumes: r.volumes, problems: r.problems, durationMs: Date.now() - t,
  });
  return { ...r, evidence };
}

/** `options`: the values of the import options kinds declare (Kind.importOptions), by flag. */
export async function importStep(bundleDir: string, trust: string[], repoRoot: string, o: StepOptions, options: Readonly<Record<string, string | undefined>> = {}, allowRollback = false) {
  const t = Date.now();
  const r = await importBundle(bundleDir, trust, repoRoot, o.log, options, allowRollback);
  const evidence = await writeEvidence(o.resultsDir, 'import', {
    version: r.release, tocSha256: r.tocSha256, lockSha256: r.lockSha256, repository: r.repository, blobs: r.blobs,
    artifacts: r.artifacts, journal: r.journal, durationMs: Date.now() - t,
  });
  return { ...r, evidence };
}
