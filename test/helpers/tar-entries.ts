import { BLOCK, fileHeader, padding } from '../../src/tar/header.ts';

/**
 * Hand-made tar entries for hostile volumes: the forms GNU tar writes (pax records, GNU long
 * names, sparse keys) with whatever names a hostile packager chooses, which `tar` itself would not
 * write on request.
 */
export function header(name: string, size: number, typeflag = '0', linkname = ''): Buffer {
  const h = fileHeader(name, size, 0);
  h.fill(0, 156, 157 + 100);
  h.write(typeflag, 156, 1, 'latin1');
  h.write(linkname, 157, 100, 'utf8');
  h.write('        ', 148, 8, 'ascii');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** header, data, padding */
export function entry(name: string, data: Buffer, typeflag = '0', linkname = ''): Buffer {
  return Buffer.concat([header(name, data.length, typeflag, linkname), data, Buffer.alloc(padding(data.length))]);
}

/** One pax record: "<len> <key>=<value>\n", where len counts itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len++;
  return `${len}${body}`;
}

/** A pax extended header ('x', or 'g' for global) carrying these records. */
export function pax(records: [string, string][], typeflag = 'x'): Buffer {
  return entry('./PaxHeaders/x', Buffer.from(records.map(([k, v]) => paxRecord(k, v)).join('')), typeflag);
}

/** A GNU long-name record ('L') naming the next entry. */
export function gnuLongName(name: string): Buffer {
  return entry('././@LongLink', Buffer.from(name + '\0'), 'L');
}

/**
 * A PAX sparse 1.0 entry as GNU tar writes it: pax keys, then a header whose data starts with the
 * sparse map (one region: the whole file) in its own block. GNU tar extracts it to GNU.sparse.name.
 */
export function sparse10(headerName: string, sparseName: string, data: Buffer): Buffer {
  const map = Buffer.alloc(BLOCK);
  map.write(`1\n0\n${data.length}\n`);
  return Buffer.concat([
    pax([['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ['GNU.sparse.name', sparseName], ['GNU.sparse.realsize', String(data.length)]]),
    entry(headerName, Buffer.concat([map, data])),
  ]);
}
