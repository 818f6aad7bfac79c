import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, posix } from 'node:path';
import { run } from '../../host/exec.ts';
import { AirgapError } from '../../util/errors.ts';
import type { PypiEntry } from './schema.ts';

export interface Resolved { project: string; version: string; url: string; sha256?: string; requiresPython?: string }

export const targetName = (t: PypiEntry['targets'][number]) => `${t.implementation}${t.python}-${t.platforms.join('+')}`;

/**
 * Ask pip, the field's own resolver, what it would install for one target: `pip install --dry-run
 * --report` with the target's platform tags and Python version, binary only, against the upstream
 * index and nothing else (no config files, no cache, no other index).
 */
export async function resolveTarget(e: PypiEntry, t: PypiEntry['targets'][number], releaseDir: string): Promise<Resolved[]> {
  const work = await mkdtemp(join(tmpdir(), 'airgap-pip-'));
  try {
    const report = join(work, 'report.json');
    const constraints = e.constraints && !/^[a-z]+:\/\//.test(e.constraints) ? resolve(releaseDir, e.constraints) : e.constraints;
    const args = [
      '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--report', report, '--target', join(work, 'target'),
      '--index-url', e.index, '--only-binary=:all:', '--python-version', t.python, '--implementation', t.implementation,
      ...t.platforms.flatMap((p) => ['--platform', p]), ...(t.abi ? ['--abi', t.abi] : []),
      ...(constraints ? ['-c', constraints] : []), ...e.requirements,
    ];
    try {
      await run('python3', args, {
        env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PIP_EXTRA_INDEX_URL: '', PIP_FIND_LINKS: '' },
        timeoutMs: 600_000,
      });
    } catch (err) {
      throw new AirgapError(`pypi ${e.name} (${targetName(t)}): pip could not resolve: ${(err as Error).message.split('\n').slice(-3).join(' ')}`, { hint: 'check the requirements, constraints and that the index has wheels for this target' });
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

export const filenameOf = (url: string) => decodeURIComponent(posix.basename(new URL(url).pathname));
