import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { FormatError } from '../util/errors.ts';

/**
 * The METADATA file of a wheel (PEP 658 serves it beside the wheel), read from the zip's central
 * directory without unpacking anything else. Undefined when the file has no *.dist-info/METADATA.
 */
export async function wheelMetadata(path: string): Promise<Buffer | undefined> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new FormatError(path, undefined, 'not a zip file (no end of central directory)');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    for (let p = 0, i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new FormatError(path, 'central directory', 'corrupt central directory');
      const method = cd.readUInt16LE(p + 10);
      const compressed = cd.readUInt32LE(p + 20);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const local = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      p += 46 + nameLen + extraLen + commentLen;
      if (!/^[^/]+\.dist-info\/METADATA$/.test(name)) continue;
      const lh = Buffer.alloc(30);
      await fh.read(lh, 0, 30, local);
      const start = local + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
      const data = Buffer.alloc(compressed);
      await fh.read(data, 0, compressed, start);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new FormatError(path, name, `METADATA compressed with unsupported method ${method}`);
    }
    return undefined;
  } finally {
    await fh.close();
  }
}
