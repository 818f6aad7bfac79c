import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** A stored (uncompressed) zip with fixed timestamps: the same files give the same bytes. */
export function zip(files: Record<string, string | Buffer>): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const DOS_TIME = 0;
  const DOS_DATE = (40 << 9) | (1 << 5) | 1; // 2020-01-01
  for (const name of Object.keys(files).sort()) {
    const data = Buffer.from(files[name]);
    const n = Buffer.from(name);
    const crc = crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(0, 6); h.writeUInt16LE(0, 8);
    h.writeUInt16LE(DOS_TIME, 10); h.writeUInt16LE(DOS_DATE, 12); h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(data.length, 18); h.writeUInt32LE(data.length, 22); h.writeUInt16LE(n.length, 26); h.writeUInt16LE(0, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0, 8); c.writeUInt16LE(0, 10);
    c.writeUInt16LE(DOS_TIME, 12); c.writeUInt16LE(DOS_DATE, 14); c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20); c.writeUInt32LE(data.length, 24); c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE((0o100644 << 16) >>> 0, 38); c.writeUInt32LE(offset, 42);
    local.push(h, n, data);
    central.push(c, n);
    offset += h.length + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(central.length / 2, 8); end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

/** A minimal, valid, pure-Python wheel (METADATA, WHEEL, RECORD and one module). */
export function makeWheel(o: { name: string; version: string; requires?: string[]; requiresPython?: string; tag?: string }): { filename: string; bytes: Buffer } {
  const mod = o.name.replace(/-/g, '_');
  const dist = `${mod}-${o.version}`;
  const tag = o.tag ?? 'py3-none-any';
  const files: Record<string, string> = {
    [`${mod}/__init__.py`]: `VERSION = '${o.version}'\n`,
    [`${dist}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: ${o.name}\nVersion: ${o.version}\n${(o.requires ?? []).map((r) => `Requires-Dist: ${r}\n`).join('')}${o.requiresPython ? `Requires-Python: ${o.requiresPython}\n` : ''}`,
    [`${dist}.dist-info/WHEEL`]: `Wheel-Version: 1.0\nGenerator: airgap\nRoot-Is-Purelib: true\nTag: ${tag}\n`,
  };
  const b64 = (s: string) => createHash('sha256').update(s).digest('base64url');
  files[`${dist}.dist-info/RECORD`] = Object.entries(files).map(([p, c]) => `${p},sha256=${b64(c)},${Buffer.byteLength(c)}\n`).join('') + `${dist}.dist-info/RECORD,,\n`;
  return { filename: `${dist}-${tag}.whl`, bytes: zip(files) };
}
