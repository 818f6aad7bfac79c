import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../../src/util/hash.ts';

/** Every file under blobs/sha256 is complete: its bytes hash to its name. */
export async function allBlobsWhole(root: string): Promise<number> {
  const dir = join(root, 'blobs', 'sha256');
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const { sha256 } = await sha256File(join(dir, n));
    if (sha256 !== n) throw new Error(`partial or wrong blob visible: ${join(dir, n)} hashes to ${sha256}`);
  }
  return names.length;
}
