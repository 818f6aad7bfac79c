import { copyFile, link, mkdir, rename, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Env A's download cache, outside any clone: `$AIRGAP_CACHE` (`off` disables it), else
 * `$XDG_CACHE_HOME/airgap`, else `~/.cache/airgap`. Files are named by sha256 only, and only
 * looked up by the sha256 the lock pinned: the lock decides what is used, the cache only saves the
 * fetch, and the store checks the bytes again as they come in.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AIRGAP_CACHE === 'off') return undefined;
  if (env.AIRGAP_CACHE) return env.AIRGAP_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'airgap');
}

const pathOf = (dir: string, hex: string) => join(dir, 'sha256', hex.slice(0, 2), hex);

/** The cached bytes of `hex`, as a stream, or undefined. */
export async function cached(hex: string): Promise<AsyncIterable<Uint8Array> | undefined> {
  const dir = cacheDir();
  if (!dir) return undefined;
  const p = pathOf(dir, hex);
  const st = await stat(p).catch(() => undefined);
  return st?.isFile() ? createReadStream(p, { highWaterMark: 1 << 20 }) : undefined;
}

/** Keep a copy of a file whose bytes were checked to be `hex` (a hard link where the file system allows). Best effort. */
export async function remember(hex: string, file: string): Promise<void> {
  const dir = cacheDir();
  if (!dir) return;
  const p = pathOf(dir, hex);
  if (await stat(p).catch(() => undefined)) return;
  try {
    await mkdir(join(p, '..'), { recursive: true });
    const tmp = `${p}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    // a link would share the inode with the store, whose blobs are never rewritten in place
    await link(file, tmp).catch(() => copyFile(file, tmp));
    await rename(tmp, p);
  } catch {
    // a cache that cannot be written only costs a download next time
  }
}
