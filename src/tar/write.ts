import type { Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { CHUNK } from '../util/hash.ts';

/**
 * Append a file's bytes to an archive at `pos`, feeding them to `hash` in order. A write of one
 * buffer, the read of the next and the hashing overlap (positional writes may run concurrently),
 * which is what lets bundling run near the machine's hashing limit.
 */
export async function appendFile(out: FileHandle, pos: number, srcPath: string, hash: Hash, onBytes?: (n: number) => void): Promise<number> {
  const src = await open(srcPath, 'r');
  let cur = Buffer.allocUnsafe(CHUNK);
  let next = Buffer.allocUnsafe(CHUNK);
  let prevWrite: Promise<unknown> = Promise.resolve();
  try {
    let n = (await src.read(cur, 0, CHUNK, null)).bytesRead;
    while (n > 0) {
      const data = n === CHUNK ? cur : cur.subarray(0, n);
      const write = out.write(data, 0, n, pos);
      pos += n;
      await prevWrite;
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
