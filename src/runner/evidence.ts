import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { MASK, type Masker } from './mask.ts';

/** Every file under results/ by path, with what changes when it is written; the runner's own runs/ folders left out. */
export async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const rel = relative(root, join(e.parentPath, e.name)).split(sep).join('/');
    if (rel.split('/')[1] === 'runs') continue;
    const st = await stat(join(root, rel)).catch(() => undefined);
    if (st) out.set(rel, `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`);
  }
  return out;
}

/** The evidence a run wrote: files created or changed between two snapshots, by path under results/. */
export function written(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([rel, sig]) => before.get(rel) !== sig).map(([rel]) => rel).sort();
}

/**
 * A secret in evidence is taken out where it stands: each file written by the run that holds one
 * is rewritten with the mask in its place. Returns the files that were. The runbooks write no
 * secret into evidence; this is the net under a library that one day would.
 */
export async function redact(root: string, files: string[], m: Masker): Promise<string[]> {
  if (!m.forms.length) return [];
  const out: string[] = [];
  for (const rel of files) {
    const bytes = await readFile(join(root, rel)).catch(() => undefined);
    if (!bytes || !m.forms.some((s) => bytes.includes(s))) continue;
    // bytes, not text: evidence may be any file, and a text round trip could change its other bytes
    await writeFileAtomic(join(root, rel), m.forms.reduce<Buffer>((b, s) => replaceBytes(b, Buffer.from(s), Buffer.from(MASK)), bytes));
    out.push(rel);
  }
  return out;
}

function replaceBytes(data: Buffer, find: Buffer, by: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = data.indexOf(find); at !== -1; at = data.indexOf(find, from)) {
    parts.push(data.subarray(from, at), by);
    from = at + find.length;
  }
  return from === 0 ? data : Buffer.concat([...parts, data.subarray(from)]);
}
