import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';
import { scriptedServer } from './helpers/http.ts';
import { sha256 } from '../src/util/hash.ts';

describe('mirror against a misbehaving upstream', () => {
  let dir: string;
  let up: Awaited<ReturnType<typeof scriptedServer>>;
  const body = Buffer.from('the real bytes\n');
  let served = body;
  beforeAll(async () => {
    dir = await workspace();
    up = await scriptedServer({
      '/flaky.tgz': (_q, res, hit) => void (hit <= 2 ? res.writeHead(503).end('busy') : res.writeHead(200).end(body)),
      '/reset.tgz': (_q, res, hit) => { if (hit <= 1) res.socket?.destroy(); else res.writeHead(200).end(body); },
      '/changing.tgz': (_q, res) => void res.writeHead(200).end(served),
      '/gone.tgz': (_q, res) => void res.writeHead(404).end('nope'),
    });
  });

  async function release(name: string, entries: string[]) {
    const rel = join(dir, name);
    await mkdir(rel, { recursive: true });
    await writeFile(join(rel, 'factory.yaml'), ['version: 1.0.0', 'file:', ...entries].join('\n'));
    return rel;
  }
  const run = (args: string[]) => airgap([...args, '--results', join(dir, 'results')]);

  it('retries 503 twice, then succeeds', async () => {
    const rel = await release('flaky', [`  - { name: flaky, url: "${up.url}/flaky.tgz", sha256: ${sha256(body)} }`]);
    expect((await run(['lock', rel])).code).toBe(0);
    const m = await run(['mirror', rel, '--store', join(dir, 'store')]);
    expect(m.code, m.stderr).toBe(0);
    expect(up.hits['/flaky.tgz']).toBe(3);
  });

  it('retries a connection reset', async () => {
    const rel = await release('reset', [`  - { name: reset, url: "${up.url}/reset.tgz", sha256: ${sha256(body)} }`]);
    expect((await run(['lock', rel])).code).toBe(0);
    const m = await run(['mirror', rel, '--store', join(dir, 'store-reset')]);
    expect(m.code, m.stderr).toBe(0);
    expect(up.hits['/reset.tgz']).toBe(2);
  });

  it('fails loudly, naming the artifact, when the bytes changed since lock; nothing enters the store', async () => {
    const rel = await release('changing', [`  - { name: changing, url: "${up.url}/changing.tgz" }`]);
    expect((await run(['lock', rel])).code).toBe(0);
    served = Buffer.from('different bytes now\n');
    const m = await run(['mirror', rel, '--store', join(dir, 'store-changing')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(new RegExp(`file:changing \\(${up.url}/changing\\.tgz\\): expected sha256:${sha256(body)}, got sha256:${sha256(served)}`));
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(dir, 'store-changing/blobs/sha256')).catch(() => [])).toEqual([]);
  });

  it('does not retry a 404, and says which URL', async () => {
    const rel = await release('gone', [`  - { name: gone, url: "${up.url}/gone.tgz", sha256: ${sha256(body)} }`]);
    expect((await run(['lock', rel])).code).toBe(0);
    const m = await run(['mirror', rel, '--store', join(dir, 'store-gone')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(new RegExp(`${up.url}/gone\\.tgz: HTTP 404`));
    expect(up.hits['/gone.tgz']).toBe(1);
  });

  it('lock fails with the URL when an unpinned file cannot be fetched', async () => {
    const rel = await release('lockgone', [`  - { name: gone2, url: "${up.url}/gone.tgz" }`]);
    const l = await run(['lock', rel]);
    expect(l.code).toBe(1);
    expect(l.stderr).toMatch(/gone\.tgz: HTTP 404/);
  });
});
