import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Repository } from '../repository/layout.ts';
import { compareReleases, RELEASE_VERSION } from '../manifest/version.ts';
import type { Journal } from './journal.ts';

/**
 * Releases already imported whole into the repository that are newer than `release`: a complete
 * older bundle signed by the same key would otherwise re-point served files to its older bytes
 * (a rollback). Whole means a journal `end` event, or .airgap/releases/<version>/toc.json (import
 * copies it last), so a repository whose journal was lost still counts.
 */
export async function newerReleases(repo: Repository, journal: Journal, release: string): Promise<string[]> {
  const done = new Set<string>();
  for (const e of await journal.read()) if (e.event === 'end' && e.ok) done.add(e.release);
  for (const v of await readdir(repo.releasesDir).catch(() => [] as string[])) {
    if (await stat(join(repo.releasesDir, v, 'toc.json')).catch(() => undefined)) done.add(v);
  }
  return [...done].filter((v) => RELEASE_VERSION.test(v) && compareReleases(v, release) > 0).sort(compareReleases);
}
