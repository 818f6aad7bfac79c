import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { readLock } from '../lock/read.ts';
import { runInSandbox } from '../sandbox/sandbox.ts';
import type { SandboxRunReport } from '../sandbox/report.ts';
import type { BuildEntry, EvidenceStep } from '../evidence/schemas.ts';
import { readEvidence } from '../evidence/read.ts';
import { writeEvidence } from '../evidence/write.ts';
import { sha256File } from '../util/hash.ts';
import { AirgapError, redactUrl, UsageError } from '../util/errors.ts';
import { findPushAccess } from '../serve/push-access.ts';
import type { Builder, BuildContext, Named } from './builder.ts';
import { rootfsBuilder } from './rootfs.ts';
import { baseImageBuilder } from './base-image.ts';
import { commandBuilder } from './command.ts';
import { diskImageBuilder } from './disk-image.ts';
import { kollaBuilder } from './kolla.ts';

export const builders: Builder[] = [rootfsBuilder, baseImageBuilder, diskImageBuilder, kollaBuilder, commandBuilder];

export interface BuildOptions {
  builder: string;
  /** a release directory or a bundle directory: either holds factory.lock.json */
  dir: string;
  serverUrl: string;
  registry?: string;
  /** the server's push directory when not where it is found from serverUrl (airgap serve --push-dir) */
  pushDir?: string;
  outDir?: string;
  allowEgressAttempts: boolean;
  resultsDir: string;
  args: string[];
  /** disk-image: elements and output name given on the command line */
  overrides?: { elements?: string[]; name?: string };
  log: (m: string) => void;
  echo?: (chunk: Buffer) => void;
}

export interface BuildResult { ok: boolean; version: string; entry: BuildEntry; runs: SandboxRunReport[]; evidence: { build: string; airgap: string } }

/**
 * lock → build: run one builder against the served repository, every command of it in the
 * sandbox; then write build.json (inputs, outputs, log) and airgap.json (the sandbox reports),
 * appending to this release's earlier builds. Attempts to leave fail the build unless allowed.
 */
export async function build(o: BuildOptions): Promise<BuildResult> {
  const builder = builders.find((b) => b.name === o.builder);
  if (!builder) throw new UsageError(`no builder "${o.builder}"`, `builders: ${builders.map((b) => b.name).join(', ')}`);
  const server = new URL(o.serverUrl);
  // the server on this host: its sandbox bridge and our own pushes get in without a secret handed around
  const push = findPushAccess(o.serverUrl, o.pushDir);
  if (o.pushDir && !push) throw new UsageError(`--push-dir ${o.pushDir}: no push socket or credentials there`, 'name the directory airgap serve printed (push: …), owned by you or root, mode 0700');
  const { lock, sha256: lockSha256 } = await readLock(o.dir);
  const registry = o.registry ?? server.host;
  const versionResults = join(o.resultsDir, lock.version);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logFile = join(versionResults, 'logs', `build-${builder.name}-${stamp}.log`);
  await mkdir(join(versionResults, 'logs'), { recursive: true });
  const outDir = resolve(o.outDir ?? join('.work', 'build', lock.version, builder.name));
  await mkdir(outDir, { recursive: true });

  const inputs: Named[] = [{ name: 'factory.lock.json', digest: `sha256:${lockSha256}` }];
  const outputs: Named[] = [];
  const runs: SandboxRunReport[] = [];
  let notes: Pick<BuildEntry, 'bootTest'> = {};
  const ctx: BuildContext = {
    lock, lockSha256, releaseDir: o.dir, overrides: o.overrides ?? {}, serverUrl: o.serverUrl.replace(/\/+$/, ''), registry, outDir,
    registryCredentials: registry === server.host ? push?.credentials : undefined,
    epoch: Math.floor(Date.parse(lock.created) / 1000), log: o.log,
    async sandbox(argv, so = {}) {
      o.log(`build ${builder.name}: in the sandbox: ${argv[0]}`);
      const r = await runInSandbox({ argv, serverUrl: o.serverUrl, pushSocket: push?.socket, cwd: so.cwd ?? outDir, env: so.env, logFile, echo: o.echo, label: so.label ?? argv[0] });
      runs.push(r.report);
      return r.exitCode;
    },
    input: (n) => inputs.push(n),
    output: (n) => outputs.push(n),
    note: (n) => { notes = { ...notes, ...n }; },
  };

  const started = Date.now();
  let error: string | undefined;
  try {
    await builder.run(ctx, o.args);
  } catch (err) {
    // exit 2 (bad usage, a host that lacks a tool or root) means the same in build as everywhere: not a failed build
    if (err instanceof AirgapError && err.exitCode === 2) throw err;
    error = (err as Error).message;
  }
  const attempts = runs.reduce((n, r) => n + r.attempts, 0);
  const unread = runs.filter((r) => !r.filterRead);
  if (unread.length) error ??= `the sandbox filter could not be read back after ${unread.map((r) => r.label).join(', ')}: attempts to leave are unknown`;
  if (attempts && !o.allowEgressAttempts) error ??= `${attempts} attempt(s) to reach beyond the repository server: ${describeAttempts(runs)}`;

  const at = new Date().toISOString();
  const entry: BuildEntry = {
    builder: builder.name, at, ok: !error, ...(error ? { error } : {}), durationMs: Date.now() - started, lockSha256,
    inputs, outputs, log: { file: relative(versionResults, logFile), sha256: (await sha256File(logFile).catch(() => ({ sha256: '0'.repeat(64) }))).sha256 },
    egressAttempts: attempts, allowEgressAttempts: o.allowEgressAttempts, ...notes,
  };
  const previous = <S extends EvidenceStep>(step: S) => readEvidence(o.resultsDir, lock.version, step);
  const builds = [...((await previous('build'))?.builds ?? []), entry];
  const airgapRuns = [...((await previous('airgap'))?.runs ?? []), ...runs.map((r) => ({ ...r, allowed: r.allowed.map((a) => ({ ...a, url: redactUrl(a.url) })), builder: builder.name, at, allowEgressAttempts: o.allowEgressAttempts }))];
  const evidence = {
    build: await writeEvidence(o.resultsDir, 'build', { version: lock.version, builds }),
    airgap: await writeEvidence(o.resultsDir, 'airgap', { version: lock.version, attempts: airgapRuns.reduce((n, r) => n + r.attempts, 0), runs: airgapRuns }),
  };
  return { ok: !error, version: lock.version, entry, runs, evidence };
}

function describeAttempts(runs: SandboxRunReport[]): string {
  const parts = runs.flatMap((r) => [
    ...r.dns.map((d) => `DNS ${d.name} (${d.type})`),
    ...r.connections.map((c) => `${c.proto} ${c.address}:${c.port}`),
    ...(r.otherPackets ? [`${r.otherPackets} other packet(s)`] : []),
  ]);
  return [...new Set(parts)].join(', ');
}
