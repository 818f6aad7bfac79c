import { describe, it, expect } from 'vitest';
import { parseQuestion, refusal } from '../src/sandbox/dns-stub.ts';
import { attemptsFromNft } from '../src/sandbox/nft.ts';

/** A DNS query as glibc sends it: id, RD, one question. */
function query(name: string, type: number): Buffer {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail]);
}

describe('sandbox: the DNS stub', () => {
  it('reads the name and type asked for', () => {
    expect(parseQuestion(query('updates.example.org', 28))).toMatchObject({ name: 'updates.example.org', type: 'AAAA' });
  });

  it('answers REFUSED with the question echoed and no answer records', () => {
    const q = query('example.org', 1);
    const r = refusal(q, parseQuestion(q)!.end);
    expect(r.readUInt16BE(0)).toBe(0x1234);
    expect(r[2] & 0x80).toBe(0x80); // a response
    expect(r[2] & 0x01).toBe(0x01); // RD as asked
    expect(r[3] & 0x0f).toBe(5); // REFUSED
    expect([r.readUInt16BE(4), r.readUInt16BE(6), r.readUInt16BE(8), r.readUInt16BE(10)]).toEqual([1, 0, 0, 0]);
  });

  it('ignores what is not a query it can read (short, no question, a label running past the end)', () => {
    expect(parseQuestion(Buffer.alloc(5))).toBeNull();
    const none = query('a.b', 1);
    none.writeUInt16BE(0, 4);
    expect(parseQuestion(none)).toBeNull();
    expect(parseQuestion(Buffer.concat([query('a.b', 1).subarray(0, 12), Buffer.from([40, 0x61])]))).toBeNull();
  });
});

describe('sandbox: reading the filter back', () => {
  it('lists every refused destination from nft -j, and counts other packets', () => {
    const json = JSON.stringify({ nftables: [
      { metainfo: { version: '1.0.6' } },
      { set: { family: 'inet', name: 'tcp4', table: 'airgap', elem: [{ concat: ['192.0.2.10', 80] }] } },
      { set: { family: 'inet', name: 'udp4', table: 'airgap', elem: [{ concat: ['192.0.2.20', 123] }] } },
      { set: { family: 'inet', name: 'tcp6', table: 'airgap' } },
      { rule: { expr: [{ set: { op: 'add' } }, { counter: { packets: 2 } }, { reject: {} }] } },
      { rule: { expr: [{ counter: { packets: 3 } }, { reject: null }] } },
    ] });
    expect(attemptsFromNft(json)).toEqual({
      attempts: [{ proto: 'tcp', address: '192.0.2.10', port: 80 }, { proto: 'udp', address: '192.0.2.20', port: 123 }],
      otherPackets: 3,
    });
  });
});
