import { createCipheriv, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from '../../src/util/concurrency.ts';

export interface DataFile {
  name: string;
  path: string;
  size: number;
}

const BLOCK = 4 << 20;

/**
 * `count` files summing to `total` bytes of AES-128-CTR keystream (AES-NI: several GB/s, so the
 * disk write is the cost). Incompressible, deterministic per file index, and different in every
 * file, so no layer (page cache dedup, compression, a sparse file) can make hashing them cheap.
 */
export async function generateFiles(dir: string, total: number, count: number, onBytes?: (n: number) => void): Promise<DataFile[]> {
  const base = Math.floor(total / count);
  const files: DataFile[] = Array.from({ length: count }, (_, i) => {
    const name = `part-${String(i).padStart(3, '0')}.bin`;
    return { name, path: join(dir, name), size: i === count - 1 ? total - base * (count - 1) : base };
  });
  const zero = Buffer.alloc(BLOCK);
  await mapLimit(files, 2, async (f, i) => {
    const key = createHash('sha256').update(`airgap-bench/${i}`).digest().subarray(0, 16);
    const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
    const fh = await open(f.path, 'w');
    try {
      let pos = 0;
      while (pos < f.size) {
        const n = Math.min(BLOCK, f.size - pos);
        const buf = cipher.update(n === BLOCK ? zero : zero.subarray(0, n));
        await fh.write(buf, 0, n, pos);
        pos += n;
        onBytes?.(n);
      }
    } finally {
      await fh.close();
    }
  });
  return files;
}
