import { FormatError } from '../util/errors.ts';
/**
 * ustar headers, written the way a reproducible bundle needs them: fixed owner, mode and mtime,
 * no user or group names. Sizes of 8 GiB and more use GNU base-256, which GNU tar, bsdtar and
 * Python's tarfile read.
 */
export const BLOCK = 512;
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

export const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;
/** bytes an entry takes in the archive: header + data + padding */
export const entryBytes = (size: number) => BLOCK + size + padding(size);
/** two zero blocks end an archive */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

function octal(buf: Buffer, offset: number, width: number, value: number) {
  buf.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

export function fileHeader(name: string, size: number, mtime: number, mode = 0o644): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new FormatError('tar archive', 'name', `tar name longer than 100 bytes: ${name}`);
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  if (size <= MAX_OCTAL_SIZE) octal(h, 124, 12, size);
  else {
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) { h[i] = Number(v & 0xffn); v >>= 8n; }
  }
  octal(h, 136, 12, mtime);
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0' + '00', 257, 8, 'ascii');
  octal(h, 329, 8, 0);
  octal(h, 337, 8, 0);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

export interface RawHeader {
  name: string;
  mode: number;
  size: number;
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function readNumber(h: Buffer, offset: number, width: number): number {
  if (h[offset] & 0x80) {
    let v = 0n;
    for (let i = offset + 1; i < offset + width; i++) v = (v << 8n) | BigInt(h[i]);
    return Number(v);
  }
  const s = h.toString('ascii', offset, offset + width).replace(/[\0 ]+$/, '').trim();
  return s ? parseInt(s, 8) : 0;
}

const str = (h: Buffer, o: number, w: number) => {
  const end = h.indexOf(0, o);
  return h.toString('utf8', o, end === -1 || end > o + w ? o + w : end);
};

/** undefined for an all-zero block; throws on a bad checksum (a corrupt or non-tar file). */
export function parseHeader(h: Buffer, offset: number): RawHeader | undefined {
  if (h.every((b) => b === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  if (readNumber(h, 148, 8) !== sum) throw new FormatError('tar archive', 'header', `bad tar header checksum at byte ${offset}`);
  const magic = h.toString('ascii', 257, 263);
  const prefix = magic.startsWith('ustar') ? str(h, 345, 155) : '';
  const name = str(h, 0, 100);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: readNumber(h, 100, 8),
    size: readNumber(h, 124, 12),
    typeflag: String.fromCharCode(h[156] || 48),
    linkname: str(h, 157, 100),
    devmajor: readNumber(h, 329, 8),
    devminor: readNumber(h, 337, 8),
  };
}
