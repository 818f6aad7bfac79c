import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, posix } from 'node:path';
import { run } from '../../host/exec.ts';
import { AirgapError } from '../../util/errors.ts';
import type { PypiEntry } from './schema.ts';
import { indexFlags } from '../../pypi/host-index.ts';
import { cacheDir } from '../../net/download-cache.ts';

/**
 * pip's HTTP cache in the user's download cache (Env A reruns on the same machine are fast); it
 * saves fetches only: pip still checks each file against the index's hash, and the lock records
 * what the index says. AIRGAP_CACHE=off: no cache at all.
 */
const pipCacheEnv = (): Record<string, string> => { const d = cacheDir(); return d ? { PIP_CACHE_DIR: join(d, 'pip') } : { PIP_NO_CACHE_DIR: '1' }; };

export interface Resolved { project: string; version: string; url: string; sha256?: string; requiresPython?: string }
export type Target = PypiEntry['targets'][number];

export const targetName = (t: Target) => `${t.implementation}${t.python}-${t.platforms.join('+')}`;

/** pip's flags that make it choose files for `t` rather than for the Python running it */
export const targetFlags = (t: Target) => [
  '--python-version', t.python, '--implementation', t.implementation,
  ...t.platforms.flatMap((p) => ['--platform', p]), ...(t.abi ? ['--abi', t.abi] : []),
];

export const constraintsArg = (e: PypiEntry, releaseDir: string) =>
  !e.constraints ? [] : ['-c', /^[a-z]+:\/\//.test(e.constraints) ? e.constraints : resolve(releaseDir, e.constraints)];

/**
 * Ask pip, the field's own resolver, what it would install: `pip install --dry-run --report`
 * against the entry's index (or the host pip's, read once from its configuration) and nothing else
 * (no config files, no find-links, no other index). `args`
 * are the flags and requirements of this question; `what` names it in errors.
 */
export async function pipReport(e: PypiEntry, args: string[], what: string, hint: string): Promise<Resolved[]> {
  const work = await mkdtemp(join(tmpdir(), 'airgap-pip-'));
  try {
    const report = join(work, 'report.json');
    try {
      await run(e.interpreter ?? 'python3', [
        '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--report', report, '--target', join(work, 'target'),
        ...(await indexFlags(e.index)), ...args,
      ], {
        env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', ...pipCacheEnv(), PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PIP_EXTRA_INDEX_URL: '', PIP_FIND_LINKS: '' },
        timeoutMs: 600_000,
      });
    } catch (err) {
      throw new AirgapError(`pypi ${e.name} (${what}): pip could not resolve: ${(err as Error).message.split('\n').slice(-3).join(' ')}`, { hint });
    }
    const r = JSON.parse(await readFile(report, 'utf8')) as { install: { metadata: { name: string; version: string; requires_python?: string }; download_info: { url: string; archive_info?: { hashes?: Record<string, string>; hash?: string } } }[] };
    return r.install.map((i) => ({
      project: i.metadata.name,
      version: i.metadata.version,
      url: i.download_info.url,
      sha256: i.download_info.archive_info?.hashes?.sha256 ?? /^sha256=([0-9a-f]{64})$/.exec(i.download_info.archive_info?.hash ?? '')?.[1],
      requiresPython: i.metadata.requires_python ?? undefined,
    }));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Wheels only: pip resolves the whole tree for the target's platform and Python version. */
export function resolveTarget(e: PypiEntry, t: Target, releaseDir: string): Promise<Resolved[]> {
  return pipReport(e, ['--only-binary=:all:', ...targetFlags(t), ...constraintsArg(e, releaseDir), ...e.requirements], targetName(t),
    'check the requirements, constraints and that the index has wheels for this target (or set sdists: true)');
}

export const filenameOf = (url: string) => decodeURIComponent(posix.basename(new URL(url).pathname));
export const isWheel = (filename: string) => filename.endsWith('.whl');
