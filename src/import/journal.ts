import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type JournalEvent =
  | { event: 'begin'; release: string; toc: string; /** newer releases this import rolls back over (--allow-rollback) */ rollbackOver?: string[] }
  | { event: 'blob'; digest: string; size: number; volume: string }
  | { event: 'placed'; release: string; artifact: string; paths: string[] }
  | { event: 'end'; release: string; toc: string; ok: boolean };

/**
 * Append-only JSON lines, one per completed unit of work. The repository itself is the truth
 * (a blob under its name is complete); the journal is the record an auditor reads and what a
 * rerun reports as already done.
 */
export class Journal {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }

  async append(e: JournalEvent): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, JSON.stringify({ at: new Date().toISOString(), ...e }) + '\n');
  }

  async read(): Promise<(JournalEvent & { at: string })[]> {
    const text = await readFile(this.path, 'utf8').catch(() => '');
    // A crash can cut the last line short; everything before it stands.
    return text.split('\n').filter(Boolean).flatMap((l) => {
      try { return [JSON.parse(l)]; } catch { return []; }
    });
  }
}
