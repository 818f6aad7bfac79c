import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { syncDir, writeJsonAtomic } from '../util/atomic.ts';
import { AirgapError, DigestMismatchError, UsageError } from '../util/errors.ts';
import { SHA256_HEX } from '../util/hash.ts';

export interface Blob {
  /** "sha256:<hex>" */
  digest: string;
  size: number;
}

export interface BlobWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** check digest (the one given at creation, or here) and size, fsync, rename into place */
  commit(expected?: string): Promise<Blob>;
  abort(): Promise<void>;
}

export function parseDigest(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new UsageError(`not a sha256 digest: "${digest}"`);
  return m[1];
}

export const digestOf = (hex: string) => {
  if (!SHA256_HEX.test(hex)) throw new UsageError(`not a sha256: "${hex}"`);
  return `sha256:${hex}`;
};

/**
 * One content-addressed store for every kind (the Hauler idea): blobs/sha256/<hex>, written only
 * through hash-while-writing into tmp/ then fsync + rename, so a blob under its final name is
 * always complete and always what its name says. refs/ maps names that are not content (a git
 * commit of a URL) to the blobs that carry them. The same class is the mirror store in Env A and
 * the embedded repository's blob store in Env B.
 */
export class Store {
  readonly root: string;
  readonly tmpDir: string;
  constructor(root: string, opts: { tmpDir?: string } = {}) {
    // absolute: tools run with another working directory (git -C) are handed paths inside it
    this.root = resolve(root);
    this.tmpDir = resolve(opts.tmpDir ?? join(root, 'tmp'));
  }

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', parseDigest(digest));
  }

  async has(digest: string): Promise<Blob | undefined> {
    try {
      const st = await stat(this.blobPath(digest));
      return st.isFile() ? { digest, size: st.size } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Stream bytes into the store. With `expected`, bytes that hash differently never get a name;
   * the error says which input (`what`) lied.
   */
  async ingest(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { expected?: string; what: string; onBytes?: (n: number) => void }): Promise<Blob> {
    const w = await this.writer(opts);
    try {
      for await (const chunk of source) await w.write(chunk);
    } catch (err) {
      await w.abort();
      throw err;
    }
    return w.commit();
  }

  /** The push side of ingest, for sources that hand out chunks (a tar parser). */
  async writer(opts: { expected?: string; expectedSize?: number; what: string; onBytes?: (n: number) => void }): Promise<BlobWriter> {
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    const h = createHash('sha256');
    let size = 0;
    let closed = false;
    const close = async () => { if (!closed) { closed = true; await fh.close(); } };
    return {
      write: async (chunk) => {
        h.update(chunk);
        const at = size;
        size += chunk.length;
        opts.onBytes?.(chunk.length);
        await fh.write(chunk, 0, chunk.length, at);
      },
      abort: async () => { await close(); await rm(tmp, { force: true }); },
      commit: async (late?: string) => {
        try {
          const digest = `sha256:${h.digest('hex')}`;
          const expected = late ?? opts.expected;
          if (expected && expected !== digest) throw new DigestMismatchError(opts.what, expected, digest);
          if (opts.expectedSize !== undefined && opts.expectedSize !== size) throw new AirgapError(`${opts.what}: ${size} bytes, expected ${opts.expectedSize}`);
          await fh.sync();
          await close();
          const final = this.blobPath(digest);
          await mkdir(dirname(final), { recursive: true });
          await rename(tmp, final);
          await syncDir(dirname(final));
          return { digest, size };
        } catch (err) {
          await close();
          await rm(tmp, { force: true });
          throw err;
        }
      },
    };
  }

  refPath(key: string): string {
    return join(this.root, 'refs', `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async putRef(key: string, blobs: Blob[]): Promise<void> {
    await writeJsonAtomic(this.refPath(key), { key, blobs });
  }

  /** The ref's blobs, only when every one of them is in the store. */
  async completeRef(key: string): Promise<Blob[] | undefined> {
    const blobs = await this.getRef(key);
    if (!blobs) return undefined;
    for (const b of blobs) if (!(await this.has(b.digest))) return undefined;
    return blobs;
  }

  async getRef(key: string): Promise<Blob[] | undefined> {
    try {
      const data = JSON.parse(await readFile(this.refPath(key), 'utf8')) as { key: string; blobs: Blob[] };
      return data.key === key ? data.blobs : undefined;
    } catch {
      return undefined;
    }
  }
}
