import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from '../store/store.ts';

/**
 * Give a stored blob a path in the repository: a hard link (no space, no copy), built in the tmp
 * dir and renamed in, so the path appears whole or not at all. A path already linked to the blob
 * is left alone.
 */
export async function placeBlob(store: Store, digest: string, target: string, tmpDir: string): Promise<void> {
  const blob = store.blobPath(digest);
  const [have, want] = await Promise.all([stat(target).catch(() => undefined), stat(blob)]);
  if (have && have.ino === want.ino && have.dev === want.dev) return;
  await mkdir(dirname(target), { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `.tmp-${process.pid}-${digest.slice(7, 23)}`);
  await rm(tmp, { force: true });
  await link(blob, tmp).catch(() => copyFile(blob, tmp));
  await rename(tmp, target);
}
