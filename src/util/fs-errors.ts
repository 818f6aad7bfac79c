import { basename, dirname } from 'node:path';
import { TMP_NAME } from './atomic.ts';
import { AirgapError } from './errors.ts';

/**
 * Node's file-system errors (EACCES, ENOTDIR, EROFS, ENOSPC…) on a path the user gave, as an
 * AirgapError saying what, where and what to do. One table, so every verb words a full disk or a
 * read-only medium the same way, and none of them reaches "unexpected error … this is a bug".
 */
const REASONS: Record<string, [reason: string, hint: string]> = {
  EACCES: ['permission denied', 'give a path this user may write, or change its permissions'],
  EPERM: ['operation not permitted (an immutable file or directory: chattr -i)', 'give another path, or lift the attribute (lsattr shows it)'],
  EROFS: ['read-only file system', 'give a path on a writable file system, or remount it read-write'],
  ENOTDIR: ['a part of the path is a file, not a directory', 'give a directory path; a file is in the way'],
  EEXIST: ['a file is in the way', 'give a directory path; a file is in the way'],
  EISDIR: ['is a directory, a file was expected', 'give a file path'],
  ENOENT: ['no such file or directory', 'check the path'],
  ENOSPC: ['no space left on the device', 'free space there, or give a path on another file system'],
  EDQUOT: ['disk quota exceeded', 'free space there, or give a path on another file system'],
  ENAMETOOLONG: ['file name too long', 'give a shorter path'],
  ELOOP: ['too many symbolic links', 'check the symbolic links on the path'],
  EMFILE: ['too many open files', 'raise the limit (ulimit -n) and rerun'],
  EBUSY: ['device or resource busy', 'wait for whatever holds it, or give another path'],
};

/** An error from node:fs (it carries an errno code and the system call), not a logic error. */
export function isFsError(err: unknown): err is NodeJS.ErrnoException & { code: string; syscall: string } {
  const e = err as NodeJS.ErrnoException | undefined;
  return !!e && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && typeof e.syscall === 'string';
}

export interface FsErrorContext {
  /** where the path came from: `--out`, `--results`, `factory.yaml` */
  what?: string;
  /** the path the user knows (Node reports the temporary or the probe) */
  path?: string;
  /** what was being done, instead of the system call's name: "create anything in /x" */
  doing?: string;
  exitCode?: 1 | 2;
}

export function fsError(err: NodeJS.ErrnoException, c: FsErrorContext = {}): AirgapError {
  const [reason, hint] = REASONS[err.code ?? ''] ?? [err.message.replace(/^[A-Z0-9]+: /, '').replace(/, \w+ '.*'$/, ''), 'check the path and rerun'];
  let where = c.path ?? err.path ?? '';
  let doing = c.doing ?? err.syscall ?? 'use it';
  // writeAtomic's temporary is a name the user never gave: name its directory
  if (!c.path && TMP_NAME.test(basename(where))) [where, doing] = [dirname(where), 'write in it'];
  return new AirgapError(`${c.what ? `${c.what} ` : ''}${where}: cannot ${doing}: ${reason} (${err.code})`, { exitCode: c.exitCode ?? 1, hint, cause: err });
}
