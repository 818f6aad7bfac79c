import { createHash } from 'node:crypto';
import { readChunks } from '../util/hash.ts';
import { TarParser, type TarEntry } from '../tar/parser.ts';
import { unsafePathReason } from '../util/paths.ts';
import { blobEntryName } from '../bundle/toc.ts';

export interface VolumeCheck {
  sha256?: string;
  problems: string[];
}

/**
 * One pass over a volume: its sha256 and every tar header. A bundle volume may hold only regular
 * files at blobs/sha256/<hex> that the TOC places in this volume, each once, with the TOC's size.
 * Everything else is refused with the reason a reviewer needs: traversal, absolute paths, links
 * (wherever they point), device nodes, duplicates, strays.
 */
export async function checkVolume(path: string, expected: Map<string, number>, onBytes?: (n: number) => void): Promise<VolumeCheck> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const byName = new Map([...expected].map(([digest, size]) => [blobEntryName(digest), size]));
  const entry = (e: TarEntry) => {
    const at = `entry "${e.name}" (byte ${e.offset})`;
    const unsafe = unsafePathReason(e.name.replace(/\/$/, ''));
    if (unsafe) return problems.push(`${at}: ${unsafe}`);
    // GNU tar, bsdtar and this parser do not agree on which of several names wins: one entry, one name.
    const other = e.names.find((n) => n.name !== e.name);
    if (other) return problems.push(`${at}: ${other.from} "${other.name}" disagrees with the name it extracts to (${e.names.map((n) => `${n.from} "${n.name}"`).join(', ')})`);
    if (e.sparse) return problems.push(`${at}: GNU sparse entry (the file it extracts to is not the bytes in the volume)`);
    if (e.type === 'symlink' || e.type === 'hardlink') return problems.push(`${at}: ${e.type} to "${e.linkname}" (links are not allowed)`);
    if (e.type === 'chardev' || e.type === 'blockdev' || e.type === 'fifo') return problems.push(`${at}: ${e.type} (device nodes are not allowed)`);
    if (e.type !== 'file') return problems.push(`${at}: ${e.type} entry (only regular files are allowed)`);
    if (seen.has(e.name)) return problems.push(`${at}: duplicate entry`);
    seen.add(e.name);
    const size = byName.get(e.name);
    if (size === undefined) return problems.push(`${at}: not listed in the TOC for this volume`);
    if (size !== e.size) return problems.push(`${at}: ${e.size} bytes, TOC says ${size}`);
  };
  const parser = new TarParser({ entry });
  const h = createHash('sha256');
  let parseError: string | undefined;
  await readChunks(path, (chunk) => {
    h.update(chunk);
    onBytes?.(chunk.length);
    if (parseError) return;
    try {
      parser.push(chunk);
    } catch (err) {
      parseError = (err as Error).message;
    }
  });
  if (!parseError) {
    try { parser.end(); } catch (err) { parseError = (err as Error).message; }
  }
  if (parseError) problems.push(`not a valid tar: ${parseError}`);
  for (const name of byName.keys()) if (!seen.has(name) && !parseError) problems.push(`missing entry "${name}"`);
  return { sha256: h.digest('hex'), problems };
}
