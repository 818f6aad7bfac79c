import { describe, it, expect } from 'vitest';
import { mkdir, writeFile, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { workspace, airgap, spawnAirgap } from './helpers/workspace.ts';
import { scriptedServer, trickle } from './helpers/http.ts';
import { allBlobsWhole } from './helpers/store-check.ts';
import { sha256, sha256File } from '../src/util/hash.ts';
import { sleep } from '../src/util/concurrency.ts';
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

  it('during bundle, at 20 instants spread over the run: the rerun leaves exactly the bundle, and it verifies', async () => {
    const dir = await workspace();
    const data = join(dir, 'data');
    await mkdir(data);
    // 16 files of 6 MiB, one per 8 MiB volume: 96 MiB, 16 volumes
    const lines = ['version: 1.0.0', 'file:'];
    for (let i = 0; i < 16; i++) {
      await writeFile(join(data, `f${i}.bin`), randomBytes(6 << 20));
      lines.push(`  - { name: f${String(i).padStart(2, '0')}, url: "file://${join(data, `f${i}.bin`)}" }`);
    }
    const release = join(dir, 'release');
    await mkdir(release);
    await writeFile(join(release, 'factory.yaml'), lines.join('\n'));
    const results = join(dir, 'results');
    const keys = await generateKeyPair(join(dir, 'keys'));
    const store = join(dir, 'store');
    const out = join(dir, 'bundle');
    for (const args of [['lock', release], ['mirror', release, '--store', store]]) {
      const r = await airgap([...args, '--results', results]);
      expect(r.code, r.stderr).toBe(0);
    }
    const bundle = ['bundle', release, '--store', store, '--out', out, '--key', keys.secretPath, '--volume-size', '8M', '--results', results];
    const verify = ['verify', out, '--trust', keys.publicPath, '--results', results];

    const temporaries = async () => (await readdir(out).catch(() => [] as string[])).filter((n) => n.startsWith('.tmp-'));
    /**
     * A bundle run; `killAt(windowMs)` kills it that long after its first temporary appears.
     * Until then a run only starts Node and reads the lock, so the kills go where bytes are
     * written; windowMs is measured the same way (first temporary → exit) on the run before.
     * A killed run's temporary, still there when the next starts, is not that run's.
     */
    const run = async (killAfterMs?: number) => {
      const before = new Set(await temporaries());
      const child = spawnAirgap(bundle);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      let exited = false;
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => { exited = true; r({ code, signal }); }));
      while (!exited && (await temporaries()).every((n) => before.has(n))) await sleep(2);
      const t = Date.now();
      if (killAfterMs !== undefined) {
        await sleep(killAfterMs);
        child.kill('SIGKILL');
      }
      const r = await done;
      return { ...r, stderr, windowMs: Date.now() - t };
    };

    // the reference: an uninterrupted run that verifies; same lock and store ⇒ same bytes
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect((await airgap(verify)).code).toBe(0);
    const referenceSums = await readFile(join(out, 'SHA256SUMS'), 'utf8');

    const CASES = 20;
    const problems: string[] = [];
    let cases = 0;
    let killedRunning = 0;
    let temporariesLeft = 0;
    let windowMs = first.windowMs;
    const windows: number[] = [];
    for (let i = 0; i < CASES; i++) {
      // stratified: one instant in each twentieth of the writing, so the kills cover all of it
      const at = Math.round((windowMs * (i + Math.random())) / CASES);
      const k = await run(at);
      if (k.signal === 'SIGKILL') killedRunning++;
      if ((await temporaries()).length) temporariesLeft++;

      cases++;
      const again = await run();
      windowMs = again.windowMs;
      windows.push(windowMs);
      if (again.code !== 0) { problems.push(`kill at ${at} ms: rerun exit ${again.code}: ${again.stderr.trim()}`); continue; }
      const present = (await readdir(out)).sort();
      const sums = await readFile(join(out, 'SHA256SUMS'), 'utf8');
      const toc = JSON.parse(await readFile(join(out, 'toc.json'), 'utf8'));
      const pinned = sums.trim().split('\n').map((l) => { const [hex, name] = l.split(/ {2}/); return { hex, name }; });
      const named = [...new Set([...pinned.map((p) => p.name), ...toc.volumes.map((v: { name: string }) => v.name), toc.lock.file, 'toc.json.minisig', 'SHA256SUMS'])].sort();
      if (present.join(' ') !== named.join(' ')) problems.push(`kill at ${at} ms: the directory holds [${present.join(' ')}], the bundle names [${named.join(' ')}]`);
      if (sums !== referenceSums) problems.push(`kill at ${at} ms: SHA256SUMS differs from the verified reference`);
      for (const p of pinned) {
        const actual = (await sha256File(join(out, p.name)).catch(() => undefined))?.sha256;
        if (actual !== p.hex) problems.push(`kill at ${at} ms: ${p.name} is not what SHA256SUMS says`);
      }
    }
    const summary = `${cases} kills, ${killedRunning} while running, ${temporariesLeft} left a temporary; writing took ${Math.min(...windows)}–${Math.max(...windows)} ms`;
    process.stderr.write(`bundle kill -9: ${summary}\n`);
    expect(cases).toBe(CASES);
    expect(problems).toEqual([]);
    // the kills landed while bytes were written, many with a volume half written
    expect(killedRunning, summary).toBeGreaterThanOrEqual(CASES / 2);
    expect(temporariesLeft, summary).toBeGreaterThanOrEqual(CASES / 4);
    const last = await airgap(verify);
    expect(last.code, last.stdout + last.stderr).toBe(0);
  });
});
