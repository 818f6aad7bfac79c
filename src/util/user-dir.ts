import { randomBytes } from 'node:crypto';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import { fsError, isFsError } from './fs-errors.ts';

/**
 * Directories named on the command line, checked before any work so that hours of mirroring or
 * bundling do not end in "cannot write". Nothing is created here: the work creates what it needs.
 */

/**
 * The directory, or its nearest existing ancestor, must be a directory in which something can be
 * created. It is tried (a probe directory made and removed), not inferred from permission bits:
 * root passes every permission check yet still cannot write on a read-only mount, in an
 * immutable (chattr +i) directory, or under /proc, where Node's own recursive mkdir retries
 * ENOENT forever instead of failing (battle log 2026-12-08).
 */
export async function checkWritableDir(path: string, what: string): Promise<void> {
  const dir = await nearestExisting(path, what);
  const probe = join(dir, `.airgap-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(probe);
  } catch (err) {
    if (!isFsError(err)) throw err;
    // /proc and /sys answer ENOENT for a name they will never hold
    if (err.code === 'ENOENT') throw new UsageError(`${what} ${path}: cannot create anything in ${dir}: it holds no new files (a /proc or /sys file system?)`, 'give a directory on a disk');
    throw fsError(err, { what, path, doing: `create anything in ${dir}`, exitCode: 2 });
  }
  await rmdir(probe);
}

/** An input directory: it must be a directory, and exist unless `missingOk`. */
export async function checkExistingDir(path: string, what: string, hint: string, missingOk = false): Promise<void> {
  const st = await stat(path).catch((err: unknown) => {
    if (isFsError(err) && err.code === 'ENOENT' && missingOk) return undefined;
    if (isFsError(err) && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) throw new UsageError(`${what} ${path}: no such directory`, hint);
    throw isFsError(err) ? fsError(err, { what, path, exitCode: 2 }) : err;
  });
  if (st && !st.isDirectory()) throw new UsageError(`${what} ${path}: not a directory`, hint);
}

async function nearestExisting(path: string, what: string): Promise<string> {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const st = await stat(dir).catch((err: unknown) => {
      if (isFsError(err) && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return undefined;
      throw isFsError(err) ? fsError(err, { what, path, exitCode: 2 }) : err;
    });
    if (!st) {
      if (dirname(dir) === dir) throw new UsageError(`${what} ${path}: no existing directory on the path`, 'give a directory path');
      continue;
    }
    if (!st.isDirectory()) throw new UsageError(`${what} ${path}: ${dir} is a file, not a directory`, 'give a directory path (it is created if missing); a file is in the way');
    return dir;
  }
}
