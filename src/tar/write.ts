import type { Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { CHUNK } from '../util/hash.ts';

/**
 * Append a file's bytes to an archive at `pos`, feeding them to `hash` in order. A write of one
 * buffer, the read of the next and the hashing overlap (positional writes may run concurrently),
 * so the disk, not the hashing, sets the pace (see `writeback` and npm run bench).
 */
export async function appendFile(out: FileHandle, pos: number, srcPath: string, hash: Hash, onBytes?: (n: number) => void, wb?: Writeback): Promise<number> {
  const src = await open(srcPath, 'r');
  let cur = Buffer.allocUnsafe(CHUNK);
  let next = Buffer.allocUnsafe(CHUNK);
  let prevWrite: Promise<unknown> = Promise.resolve();
  try {
    let n = (await src.read(cur, 0, CHUNK, null)).bytesRead;
    while (n > 0) {
      const data = n === CHUNK ? cur : cur.subarray(0, n);
      const write = out.write(data, 0, n, pos);
      // awaited on the next turn; when an earlier write fails first (ENOSPC), this one's failure
      // must not become an unhandled rejection that kills the process past every catch
      write.catch(() => {});
      pos += n;
      await prevWrite;
      await wb?.wrote(n);
      const read = src.read(next, 0, CHUNK, null);
      hash.update(data);
      onBytes?.(n);
      prevWrite = write;
      n = (await read).bytesRead;
      [cur, next] = [next, cur];
    }
    await prevWrite;
  } finally {
    await src.close();
  }
  return pos;
}

/** Write a small buffer (a header, padding) at `pos`, hashed in order. */
export async function appendBytes(out: FileHandle, pos: number, bytes: Buffer, hash: Hash): Promise<number> {
  hash.update(bytes);
  if (bytes.length) await out.write(bytes, 0, bytes.length, pos);
  return pos + bytes.length;
}

/**
 * Page-cache writeback starts late (dirty_background_ratio of a big machine is gigabytes), so a
 * volume's closing fsync would write the whole volume while nothing else runs. An fdatasync every
 * FLUSH_EVERY bytes, one at a time, overlaps the disk with reading and hashing (npm run bench:
 * bundle about 30% faster on a 2-core VM's virtual disk).
 */
export const FLUSH_EVERY = 64 << 20;

export interface Writeback {
  /** count bytes handed to the file; past FLUSH_EVERY, wait for the previous flush and start one */
  wrote(n: number): Promise<void>;
  /** the last flush; await it before the file is closed */
  done(): Promise<void>;
}

export function writeback(fh: FileHandle, every = FLUSH_EVERY): Writeback {
  let since = 0;
  let inFlight: Promise<void> = Promise.resolve();
  return {
    async wrote(n) {
      since += n;
      if (since < every) return;
      since = 0;
      await inFlight;
      inFlight = fh.datasync();
      inFlight.catch(() => {}); // rethrown by the next wrote() or done(); never unhandled
    },
    done: () => inFlight,
  };
}
