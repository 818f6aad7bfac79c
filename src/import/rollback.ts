import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Repository } from '../repository/layout.ts';
import { compareReleases, RELEASE_VERSION } from '../manifest/version.ts';

/**
 * Releases already imported whole into the repository that are newer than `release`: a complete
 * older bundle signed by the same key would otherwise re-point served files to its older bytes
 * (a rollback). Whole means .airgap/releases/<version>/toc.json: import copies it after every
 * artifact is placed, before the journal's `end`, so it is the record to read; the journal (a
 * line per blob) is not read whole for this, and a repository whose journal was lost still counts.
 */
export async function newerReleases(repo: Repository, release: string): Promise<string[]> {
  const done: string[] = [];
  for (const v of await readdir(repo.releasesDir).catch(() => [] as string[])) {
    if (RELEASE_VERSION.test(v) && compareReleases(v, release) > 0 && (await stat(join(repo.releasesDir, v, 'toc.json')).catch(() => undefined))) done.push(v);
  }
  return done.sort(compareReleases);
}
