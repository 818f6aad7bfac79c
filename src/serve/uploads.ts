import { randomUUID } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobWriter, Store } from '../store/store.ts';

export interface UploadLimits {
  /** an upload untouched this long is abandoned: its session and bytes go */
  maxAgeMs: number;
  /** open sessions at most; the least recently touched idle ones make room */
  maxCount: number;
  /** bytes held by open sessions at most, counted the same way */
  maxBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxAgeMs: 60 * 60_000, maxCount: 64, maxBytes: 8 * 2 ** 30 };

export interface Upload { id: string; name: string; writer: BlobWriter; received: number; touched: number; busy: number }

/**
 * The registry's open upload sessions, bounded: a client that starts an upload and walks away
 * must not hold disk for ever, nor can many of them fill it. A session receiving bytes is never
 * taken; an idle one is, when it is too old or when room is needed. Their bytes are the store's
 * temporary files, in a directory of their own so a sweep on start touches nothing else.
 */
export class Uploads {
  private open = new Map<string, Upload>();
  private timer?: NodeJS.Timeout;
  private store: Store;
  readonly limits: UploadLimits;
  private log: (line: string) => void;

  constructor(store: Store, limits: Partial<UploadLimits> = {}, log: (line: string) => void = () => {}) {
    this.store = store;
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...limits };
    this.log = log;
  }

  /** Temporaries left by an earlier server (it died mid-upload) go now; then a sweep every so often. */
  async start(): Promise<void> {
    const dir = this.store.tmpDir;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) {
      const s = await stat(join(dir, n)).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > this.limits.maxAgeMs) await rm(join(dir, n), { force: true });
    }
    this.timer = setInterval(() => void this.sweep(), Math.max(50, Math.min(60_000, this.limits.maxAgeMs / 2)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const u of [...this.open.values()]) await this.drop(u, 'server stopping');
  }

  async create(name: string): Promise<Upload | undefined> {
    await this.sweep();
    await this.makeRoom(this.limits.maxCount - 1, this.limits.maxBytes);
    if (this.open.size >= this.limits.maxCount) return undefined;
    const id = randomUUID();
    const u: Upload = { id, name, writer: await this.store.writer({ what: `upload ${id}` }), received: 0, touched: Date.now(), busy: 0 };
    this.open.set(id, u);
    return u;
  }

  get(id: string): Upload | undefined {
    return this.open.get(id);
  }

  /** Hold the session while a request streams into it: no sweep takes it meanwhile. */
  async receiving<T>(u: Upload, fn: () => Promise<T>): Promise<T> {
    u.busy++;
    try {
      return await fn();
    } finally {
      u.busy--;
      u.touched = Date.now();
    }
  }

  /** The session ends (committed or given up): its name is gone either way. */
  take(id: string): Upload | undefined {
    const u = this.open.get(id);
    this.open.delete(id);
    return u;
  }

  bytes(): number {
    let n = 0;
    for (const u of this.open.values()) n += u.received;
    return n;
  }

  async sweep(): Promise<void> {
    const now = Date.now();
    for (const u of [...this.open.values()]) {
      if (!u.busy && now - u.touched > this.limits.maxAgeMs) await this.drop(u, `idle for more than ${Math.round(this.limits.maxAgeMs / 1000)}s`);
    }
    await this.makeRoom(this.limits.maxCount, this.limits.maxBytes);
  }

  private async makeRoom(count: number, bytes: number): Promise<void> {
    const idle = [...this.open.values()].filter((u) => !u.busy).sort((a, b) => a.touched - b.touched);
    while (idle.length && (this.open.size > count || this.bytes() > bytes)) await this.drop(idle.shift()!, 'room needed for newer uploads');
  }

  private async drop(u: Upload, why: string): Promise<void> {
    if (!this.open.delete(u.id)) return;
    this.log(`upload ${u.id} (${u.name}, ${u.received} bytes) dropped: ${why}`);
    await u.writer.abort().catch(() => {});
  }
}
