import { BLOCK, padding, parseHeader, type RawHeader } from './header.ts';
import { FormatError } from '../util/errors.ts';

export type EntryType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'directory' | 'fifo' | 'other';

export interface TarEntry {
  name: string;
  type: EntryType;
  size: number;
  linkname: string;
  /** byte offset of the entry's header in the archive */
  offset: number;
  /**
   * Every name the archive gives this entry, by where it came from (header, GNU long name, pax
   * path, pax GNU.sparse.name). Extractors disagree on which wins (GNU tar takes GNU.sparse.name
   * over all), so a checker must see them all, not the one this parser picked.
   */
  names: { from: string; name: string }[];
  /** a GNU sparse entry (pax GNU.sparse.* keys): the bytes in the archive are not the file it extracts to */
  sparse: boolean;
}

export interface TarHandler {
  entry(e: TarEntry): void;
  data?(chunk: Buffer): void;
  entryEnd?(e: TarEntry): void;
}

const TYPES: Record<string, EntryType> = { '0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'chardev', '4': 'blockdev', '5': 'directory', '6': 'fifo' };

/**
 * A push parser: feed it chunks of any size, it calls the handler per entry and per data chunk,
 * holding at most one header in memory. pax ('x'/'g') and GNU long-name ('L'/'K') records are
 * folded into the entry they describe, so a name hidden in an extension is checked like any other.
 */
export class TarParser {
  private handler: TarHandler;
  private pos = 0;
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private pad = 0;
  private current?: TarEntry;
  private meta?: { kind: 'pax' | 'gnuName' | 'gnuLink' | 'paxGlobal'; buf: Buffer[]; header: RawHeader };
  private pending: PaxFields & { gnuName?: string } = {};
  private zeroBlocks = 0;
  ended = false;

  constructor(handler: TarHandler) {
    this.handler = handler;
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.ended) {
        // Anything after the end-of-archive marker must be zero padding.
        for (; i < chunk.length; i++) if (chunk[i] !== 0) throw new FormatError('tar archive', undefined, `data after end of archive at byte ${this.pos}`);
        this.pos += chunk.length;
        return;
      }
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        const part = chunk.subarray(i, i + n);
        if (this.meta) this.meta.buf.push(Buffer.from(part));
        else this.handler.data?.(part);
        this.remaining -= n; i += n; this.pos += n;
        if (this.remaining === 0) this.finishData();
        continue;
      }
      if (this.pad > 0) {
        const n = Math.min(this.pad, chunk.length - i);
        this.pad -= n; i += n; this.pos += n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerFill, chunk.length - i);
      chunk.copy(this.header, this.headerFill, i, i + n);
      this.headerFill += n; i += n; this.pos += n;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.onHeader(this.pos - BLOCK);
      }
    }
  }

  /** Call when the input ends; throws if the archive was cut short. */
  end(): void {
    if (this.remaining > 0 || this.headerFill > 0 || this.pad > 0) throw new FormatError('tar archive', undefined, `archive truncated at byte ${this.pos}`);
    if (!this.ended) throw new FormatError('tar archive', undefined, `archive has no end-of-archive marker (truncated at byte ${this.pos}?)`);
  }

  private onHeader(offset: number) {
    const h = parseHeader(this.header, offset);
    if (!h) {
      if (++this.zeroBlocks === 2) this.ended = true;
      return;
    }
    if (this.zeroBlocks) throw new FormatError('tar archive', undefined, `lone zero block before byte ${offset}`);
    const metaKind = h.typeflag === 'x' ? 'pax' : h.typeflag === 'g' ? 'paxGlobal' : h.typeflag === 'L' ? 'gnuName' : h.typeflag === 'K' ? 'gnuLink' : undefined;
    if (metaKind) {
      if (h.size > 1 << 20) throw new FormatError('tar archive', metaKind, `oversized ${metaKind} record at byte ${offset}`);
      this.meta = { kind: metaKind, buf: [], header: h };
      this.remaining = h.size;
      this.pad = padding(h.size);
      if (h.size === 0) this.finishData();
      return;
    }
    const p = this.pending;
    this.pending = {};
    const hasData = h.typeflag === '0' || h.typeflag === '7' || h.typeflag === '\0';
    const names = [
      { from: 'header', name: h.name },
      ...(p.gnuName !== undefined ? [{ from: 'GNU long name', name: p.gnuName }] : []),
      ...(p.path !== undefined ? [{ from: 'pax path', name: p.path }] : []),
      ...(p.sparseName !== undefined ? [{ from: 'pax GNU.sparse.name', name: p.sparseName }] : []),
    ];
    this.current = {
      // the name GNU tar extracts to: GNU.sparse.name, then pax path, then the GNU long name
      name: p.sparseName ?? p.path ?? p.gnuName ?? h.name,
      type: TYPES[h.typeflag] ?? 'other',
      size: p.size ?? h.size,
      linkname: p.linkpath ?? h.linkname,
      offset,
      names,
      sparse: p.sparse ?? false,
    };
    this.handler.entry(this.current);
    this.remaining = hasData || this.current.type === 'other' ? this.current.size : 0;
    this.pad = this.remaining ? padding(this.remaining) : 0;
    if (this.remaining === 0) this.finishData();
  }

  private finishData() {
    if (this.meta) {
      const { kind, buf } = this.meta;
      const text = Buffer.concat(buf);
      this.meta = undefined;
      if (kind === 'gnuName') this.pending.gnuName = text.toString('utf8').replace(/\0+$/, '');
      else if (kind === 'gnuLink') this.pending.linkpath = text.toString('utf8').replace(/\0+$/, '');
      else if (kind === 'pax') Object.assign(this.pending, parsePax(text));
      // Global pax headers set defaults for every later entry; we accept none.
      else throw new FormatError('tar archive', 'typeflag', 'global pax header (typeflag g) is not allowed in a bundle volume');
      return;
    }
    if (this.current) this.handler.entryEnd?.(this.current);
    this.current = undefined;
  }
}

interface PaxFields { path?: string; linkpath?: string; size?: number; sparseName?: string; sparse?: boolean }

function parsePax(buf: Buffer): PaxFields {
  const out: PaxFields = {};
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(buf.toString('ascii', i, sp), 10);
    if (!len || len < 0) throw new FormatError('tar archive', 'pax record', 'malformed pax record');
    const record = buf.toString('utf8', sp + 1, i + len - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    else if (key === 'linkpath') out.linkpath = value;
    else if (key === 'size') out.size = Number(value);
    else if (key === 'GNU.sparse.name') out.sparseName = value;
    if (key.startsWith('GNU.sparse.')) out.sparse = true;
    i += len;
  }
  return out;
}
