import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export interface DnsQuery { name: string; type: string; transport: 'udp' | 'tcp' }

const TYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 65: 'HTTPS', 255: 'ANY' };

/** The question of a DNS message (RFC 1035 4.1): the name and type asked for, or null if malformed. */
export function parseQuestion(msg: Buffer): { name: string; type: string; end: number } | null {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return null;
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length) {
    const len = msg[i];
    if (len === 0) { i++; break; }
    if (len > 63 || i + 1 + len > msg.length) return null; // no compression in a question we accept
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  if (i + 4 > msg.length) return null;
  const t = msg.readUInt16BE(i);
  return { name: labels.join('.') || '.', type: TYPES[t] ?? `TYPE${t}`, end: i + 4 };
}

/** REFUSED, echoing the question: the resolver gives up at once instead of waiting for a timeout. */
export function refusal(msg: Buffer, end: number): Buffer {
  const out = Buffer.from(msg.subarray(0, end));
  out[2] = 0x80 | (msg[2] & 0x79); // QR, the opcode and RD as asked
  out[3] = 5; // RA 0, RCODE REFUSED
  out.writeUInt16BE(1, 4); out.writeUInt16BE(0, 6); out.writeUInt16BE(0, 8); out.writeUInt16BE(0, 10);
  return out;
}

/**
 * The sandbox's only resolver: answers nothing (REFUSED) and remembers every name it was asked
 * for, so a build that tries to look something up on the internet is seen doing it.
 */
export async function startDnsStub(host: string, onQuery: (q: DnsQuery) => void): Promise<() => Promise<void>> {
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (!q) return;
    onQuery({ name: q.name, type: q.type, transport: 'udp' });
    udp.send(refusal(msg, q.end), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(53, host, () => resolve()); });
  const tcp = createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const q = parseQuestion(msg);
        if (!q) { sock.destroy(); return; }
        onQuery({ name: q.name, type: q.type, transport: 'tcp' });
        const r = refusal(msg, q.end);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(r.length);
        sock.write(Buffer.concat([len, r]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(53, host, () => resolve()); });
  return async () => {
    await new Promise<void>((r) => udp.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
  };
}
