import { describe, it, expect, beforeAll } from 'vitest';
import { open, readdir, rm, truncate, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';
import { demoBundle } from './helpers/bundle-fixture.ts';
import { generateKeyPair } from '../src/trust/keys.ts';
import { readSecretKey } from '../src/trust/keys.ts';
import { signMinisign } from '../src/trust/minisign.ts';
import { readFile, writeFile } from 'node:fs/promises';

/** Every way the media can be damaged or forged: verify exits 1 naming it, import imports nothing. */
describe('verify refuses damaged or forged bundles, and import then imports nothing', () => {
  let dir: string;
  let b: Awaited<ReturnType<typeof demoBundle>>;
  beforeAll(async () => {
    dir = await workspace();
    b = await demoBundle(dir);
  });

  async function expectRefused(bundle: string, pattern: RegExp) {
    const v = await airgap(['verify', bundle, '--trust', b.keys.publicPath, '--results', b.results]);
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toMatch(pattern);
    const repo = join(dir, `repo-${Math.random().toString(36).slice(2)}`);
    const i = await airgap(['import', bundle, '--trust', b.keys.publicPath, '--to', repo, '--results', b.results]);
    expect(i.code, i.stderr).toBe(1);
    expect(i.stderr).toMatch(/failed verification; nothing imported/);
    expect(i.stderr).toMatch(pattern);
    // nothing at all was written where the repository would be
    expect(await readdir(repo).catch(() => [])).toEqual([]);
  }

  it('the untouched copy verifies (so the refusals below are about the damage)', async () => {
    const v = await airgap(['verify', await b.copy(), '--trust', b.keys.publicPath, '--results', b.results]);
    expect(v.code, v.stdout).toBe(0);
  });

  for (const volume of ['volume-0001.tar', 'volume-0002.tar']) {
    for (const where of ['first', 'middle', 'last'] as const) {
      it(`one flipped byte (${where} byte of ${volume}) is named`, async () => {
        const c = await b.copy();
        const path = join(c, volume);
        const size = (await stat(path)).size;
        const at = where === 'first' ? 0 : where === 'middle' ? Math.floor(size / 2) : size - 1;
        const fh = await open(path, 'r+');
        const buf = Buffer.alloc(1);
        await fh.read(buf, 0, 1, at);
        buf[0] ^= 0x01;
        await fh.write(buf, 0, 1, at);
        await fh.close();
        await expectRefused(c, new RegExp(`${volume.replace('.', '\\.')}: .*(sha256 .* does not match|tar)`));
      });
    }
  }

  it('a truncated volume is named, as truncated', async () => {
    const c = await b.copy();
    const path = join(c, 'volume-0001.tar');
    await truncate(path, (await stat(path)).size - 1000);
    await expectRefused(c, /volume-0001\.tar: \d+ bytes, TOC says \d+ \(truncated\)/);
  });

  it('a deleted volume is named, with the artifacts it held', async () => {
    const c = await b.copy();
    await rm(join(c, 'volume-0002.tar'));
    await expectRefused(c, /volume-0002\.tar: missing[\s\S]*git:demo-app: damaged: in volume-0002\.tar/);
  });

  it('a bundle signed with another key is refused naming the key', async () => {
    const c = await b.copy();
    const other = await generateKeyPair(join(dir, 'other-key'));
    const sk = await readSecretKey(other.secretPath);
    const toc = await readFile(join(c, 'toc.json'));
    await writeFile(join(c, 'toc.json.minisig'), signMinisign(toc, sk, 'forged'));
    const otherId = (await readFile(other.publicPath, 'utf8')).match(/public key ([0-9A-F]{16})/)![1];
    await expectRefused(c, new RegExp(`signed by key ${otherId}, which is not trusted`));
  });

  it('a changed toc.json under the old signature is refused', async () => {
    const c = await b.copy();
    const text = (await readFile(join(c, 'toc.json'), 'utf8')).replace('"release": "0.1.0-demo"', '"release": "0.1.1-demo"');
    await writeFile(join(c, 'toc.json'), text);
    await expectRefused(c, /does not match the signed file/);
  });

  it('a changed lock is refused even though the toc is intact', async () => {
    const c = await b.copy();
    const text = (await readFile(join(c, 'factory.lock.json'), 'utf8')).replace('"file:hello"', '"file:hellO"');
    await writeFile(join(c, 'factory.lock.json'), text);
    await expectRefused(c, /factory\.lock\.json: sha256 does not match the TOC/);
  });

  it('a missing signature is refused', async () => {
    const c = await b.copy();
    await rm(join(c, 'toc.json.minisig'));
    await expectRefused(c, /toc\.json\.minisig is missing/);
  });
});
