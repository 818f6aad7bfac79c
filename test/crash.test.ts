import { describe, it, expect } from 'vitest';
import { mkdir, writeFile, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { workspace, airgap, spawnAirgap } from './helpers/workspace.ts';
import { scriptedServer, trickle } from './helpers/http.ts';
import { allBlobsWhole } from './helpers/store-check.ts';
import { sha256 } from '../src/util/hash.ts';
import { generateKeyPair } from '../src/trust/keys.ts';

const waitFor = async (what: string, cond: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const killed = (child: ReturnType<typeof spawnAirgap>) => new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, s) => r(s)));

describe('kill -9, then rerun: the work completes and no partial file is ever visible', () => {
  it('during mirror', async () => {
    const dir = await workspace();
    const big = randomBytes(8 << 20);
    let slow = true;
    const up = await scriptedServer({
      '/big.bin': (_req, res) => (slow ? trickle(res, big, 64 << 10, 20) : void res.writeHead(200).end(big)),
      '/small.txt': (_req, res) => void res.writeHead(200).end('small\n'),
    });
    const release = join(dir, 'release');
    await mkdir(release);
    await writeFile(join(release, 'factory.yaml'), [
      'version: 1.0.0',
      'file:',
      `  - { name: big, url: "${up.url}/big.bin", sha256: ${sha256(big)} }`,
      `  - { name: small, url: "${up.url}/small.txt" }`,
    ].join('\n'));
    const results = join(dir, 'results');
    expect((await airgap(['lock', release, '--results', results])).code).toBe(0);
    const store = join(dir, 'store');
    const child = spawnAirgap(['mirror', release, '--store', store, '--results', results]);
    const done = killed(child);
    // kill once the big download is under way in the store's tmp/
    await waitFor('a temporary download', async () => {
      const names = await readdir(join(store, 'tmp')).catch(() => [] as string[]);
      for (const n of names) if ((await stat(join(store, 'tmp', n)).catch(() => undefined))?.size) return true;
      return false;
    });
    child.kill('SIGKILL');
    expect(await done).toBe('SIGKILL');
    await allBlobsWhole(store);
    expect(await stat(join(store, 'blobs/sha256', sha256(big))).catch(() => undefined)).toBeUndefined();

    slow = false;
    const again = await airgap(['mirror', release, '--store', store, '--results', results, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(await allBlobsWhole(store)).toBe(2);
    expect(await readdir(join(store, 'tmp'))).toEqual([]);
    const ev = JSON.parse(await readFile(join(results, '1.0.0/mirror.json'), 'utf8'));
    expect(ev.artifacts.find((a: any) => a.id === 'file:big').fetched).toBe(true);
  });

  it('during import', async () => {
    const dir = await workspace();
    const data = join(dir, 'data');
    await mkdir(data);
    const lines = ['version: 1.0.0', 'file:'];
    const files: Record<string, string> = {};
    for (let i = 0; i < 24; i++) {
      const bytes = randomBytes(4 << 20);
      await writeFile(join(data, `f${i}.bin`), bytes);
      files[`f${i}`] = sha256(bytes);
      lines.push(`  - { name: f${i}, url: "file://${join(data, `f${i}.bin`)}" }`);
    }
    const release = join(dir, 'release');
    await mkdir(release);
    await writeFile(join(release, 'factory.yaml'), lines.join('\n'));
    const results = join(dir, 'results');
    const keys = await generateKeyPair(join(dir, 'keys'));
    const store = join(dir, 'store');
    const bundle = join(dir, 'bundle');
    for (const args of [['lock', release], ['mirror', release, '--store', store], ['bundle', release, '--store', store, '--out', bundle, '--key', keys.secretPath, '--volume-size', '20M']]) {
      const r = await airgap([...args, '--results', results]);
      expect(r.code, r.stderr).toBe(0);
    }
    const repo = join(dir, 'repo');
    const journal = join(repo, '.airgap/journal.jsonl');
    const child = spawnAirgap(['import', bundle, '--trust', keys.publicPath, '--to', repo, '--results', results]);
    const done = killed(child);
    await waitFor('the first imported blob', async () => (await readFile(journal, 'utf8').catch(() => '')).includes('"event":"blob"'));
    child.kill('SIGKILL');
    expect(await done).toBe('SIGKILL');
    const j = await readFile(journal, 'utf8');
    expect(j, 'the kill came too late to test anything').not.toMatch(/"event":"end"/);
    const partialCount = await allBlobsWhole(repo);
    expect(partialCount).toBeLessThan(24);
    // raw/ only ever holds complete, locked files
    for (const [name, sha] of Object.entries(files)) {
      const p = join(repo, 'raw', name, `${name}.bin`);
      const bytes = await readFile(p).catch(() => undefined);
      if (bytes) expect(sha256(bytes)).toBe(sha);
    }

    const again = await airgap(['import', bundle, '--trust', keys.publicPath, '--to', repo, '--results', results, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout);
    expect(out.blobs.present).toBe(partialCount);
    expect(out.blobs.imported).toBe(24 - partialCount);
    expect(await allBlobsWhole(repo)).toBe(24);
    for (const [name, sha] of Object.entries(files)) expect(sha256(await readFile(join(repo, 'raw', name, `${name}.bin`)))).toBe(sha);
    expect(await readdir(join(repo, '.airgap/tmp'))).toEqual([]);
  });
});
