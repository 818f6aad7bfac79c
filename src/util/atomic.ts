import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The one way this project puts a file where others can see it: write into a temporary name in
 * the same directory tree, fsync, rename, fsync the directory. A crash at any point leaves either
 * the old state or the complete new file, never a partial one under the final name.
 */
export async function writeAtomic(
  finalPath: string | (() => string),
  write: (fh: FileHandle) => Promise<void>,
  opts: { tmpDir?: string; mode?: number } = {},
): Promise<string> {
  // A function final path is for content-addressed names, known only after the last byte.
  const tmpDir = opts.tmpDir ?? dirname(finalPath as string);
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', opts.mode ?? 0o644);
  try {
    await write(fh);
    await fh.sync();
    await fh.close();
    const target = typeof finalPath === 'function' ? finalPath() : finalPath;
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
    await syncDir(dirname(target));
    return target;
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    // a failed write(2) (ENOSPC) names no file: name the temporary, which says where
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e.code === 'string' && typeof e.syscall === 'string' && !e.path) e.path = tmp;
    throw err;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await writeAtomic(path, async (fh) => { await fh.writeFile(data); }, { mode });
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** The temporaries writeAtomic makes: `.tmp-<pid>-<12 hex>`. */
export const TMP_NAME = /^\.tmp-\d+-[0-9a-f]{12}$/;

/**
 * Remove every writeAtomic temporary directly in `dir`, whoever made it: for a directory that has
 * one writer at a time (a bundle's output), where anything left is a killed run's. Other names
 * are left alone, unlike cleanStaleTmp, which owns its whole directory.
 */
export async function removeTmp(dir: string): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!TMP_NAME.test(name)) continue;
    await rm(join(dir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}

/** Remove temporaries left by processes that died (kill -9, power loss); live writers keep theirs. */
export async function cleanStaleTmp(tmpDir: string): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  let removed = 0;
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const pid = Number(/^\.tmp-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && isAlive(pid)) continue;
    await rm(join(tmpDir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
