import { describe, it, expect } from 'vitest';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { planVolumes } from '../src/bundle/plan.ts';
import { parseSize } from '../src/util/size.ts';
import { fileHeader, parseHeader } from '../src/tar/header.ts';
import { readPublicKey, generateKeyPair, readSecretKey } from '../src/trust/keys.ts';
import { verifyMinisign, signMinisign } from '../src/trust/minisign.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { unsafePathReason } from '../src/util/paths.ts';

const blob = (n: number, size: number) => ({ digest: `sha256:${String(n).padStart(64, '0')}`, size });

describe('volume planning', () => {
  it('fills greedily, splits at entry boundaries, stores a shared blob once', () => {
    const plan = planVolumes([
      { id: 'a', blobs: [blob(1, 1000), blob(2, 1000)] },
      { id: 'b', blobs: [blob(2, 1000), blob(3, 3000)] },
    ], 5120);
    expect(plan.map((v) => v.blobs.map((b) => b.digest.slice(-1)))).toEqual([['1', '2'], ['3']]);
    for (const v of plan) expect(v.size).toBeLessThanOrEqual(5120);
    expect(plan[0].size).toBe(2 * (512 + 1024) + 1024);
  });
  it('names every artifact that needs a blob too big for any volume', () => {
    expect(() => planVolumes([{ id: 'x', blobs: [blob(9, 10_000)] }, { id: 'y', blobs: [blob(9, 10_000)] }], 4096)).toThrow(/x, y: .* does not fit in a volume of 4\.00 KiB/);
  });
});

describe('sizes', () => {
  it('parses binary units', () => {
    expect(parseSize('4G')).toBe(4 * 2 ** 30);
    expect(parseSize('700M')).toBe(700 * 2 ** 20);
    expect(parseSize('4.5GiB')).toBe(Math.floor(4.5 * 2 ** 30));
    expect(parseSize('1024')).toBe(1024);
    expect(() => parseSize('-1G')).toThrow(/not a size/);
  });
});

describe('tar headers', () => {
  it('round-trip, with GNU base-256 for sizes of 8 GiB and more', () => {
    for (const size of [0, 1, 8 ** 11 - 1, 8 ** 11, 20 * 2 ** 30]) {
      expect(parseHeader(fileHeader('blobs/sha256/x', size, 1_700_000_000), 0)).toMatchObject({ name: 'blobs/sha256/x', size, typeflag: '0' });
    }
  });
  it('rejects a corrupted header by its checksum', () => {
    const h = fileHeader('a', 1, 0);
    h[0] = 'b'.charCodeAt(0);
    expect(() => parseHeader(h, 512)).toThrow(/bad tar header checksum at byte 512/);
  });
});

describe('path safety', () => {
  it.each([['../x', /traversal/], ['/etc', /absolute/], ['a/../b', /traversal/], ['a//b', /empty/], ['a\\b', /backslash/], ['a\0', /NUL/]])('%s is unsafe', (p, why) => {
    expect(unsafePathReason(p)).toMatch(why);
  });
  it('a plain relative path is safe', () => expect(unsafePathReason('proj/file-1.0.tar.gz')).toBeUndefined());
});

describe('minisign interop', () => {
  it("accepts a signature made by Debian's minisign with its own key, and refuses it when the file changes", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minisign-'));
    execFileSync('minisign', ['-G', '-W', '-p', join(dir, 'k.pub'), '-s', join(dir, 'k.key')], { stdio: 'ignore' });
    const file = join(dir, 'toc.json');
    execFileSync('sh', ['-c', 'echo \'{"a":1}\' > "$1"', 'sh', file]);
    execFileSync('minisign', ['-S', '-s', join(dir, 'k.key'), '-m', file], { stdio: 'ignore' });
    const pk = await readPublicKey(join(dir, 'k.pub'));
    const sig = await readFile(`${file}.minisig`, 'utf8');
    expect(verifyMinisign(await readFile(file), sig, [pk])).toMatchObject({ ok: true });
    expect(verifyMinisign(Buffer.from('{"a":2}\n'), sig, [pk])).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match the signed file/) });
  });
  it('refuses a signature whose trusted comment was edited', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minisign-'));
    const k = await generateKeyPair(dir);
    const sk = await readSecretKey(k.secretPath);
    const sig = signMinisign(Buffer.from('x'), sk, 'timestamp:1\tfile:toc.json').replace('timestamp:1', 'timestamp:2');
    expect(verifyMinisign(Buffer.from('x'), sig, [k.pub])).toMatchObject({ ok: false, reason: expect.stringMatching(/trusted comment signature .* is invalid/) });
  });
});

describe('--listen', () => {
  it('takes address:port, [v6]:port, and a bare port (loopback)', async () => {
    const { parseListen } = await import('../src/serve/listen.ts');
    expect(parseListen('127.0.0.1:8081')).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(parseListen('[::1]:8081')).toEqual({ host: '::1', port: 8081 });
    expect(parseListen('8081')).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(() => parseListen('example.org:80')).toThrow(/not an address:port/);
  });
});

describe('registry credentials', () => {
  it('come from AIRGAP_REGISTRY_AUTH, REGISTRY_AUTH_FILE or docker config.json, each registry only its own', async () => {
    const { credentialsFor } = await import('../src/oci/credentials.ts');
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp(join(tmpdir(), 'creds-'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: {
      'reg.example:5000': { auth: Buffer.from('docker-user:pa:ss').toString('base64') },
      'https://other.example': { username: 'u2', password: 'p2' },
    } }));
    const env = { DOCKER_CONFIG: dir };
    expect(credentialsFor('reg.example:5000', env)).toEqual({ username: 'docker-user', password: 'pa:ss' });
    expect(credentialsFor('other.example', env)).toEqual({ username: 'u2', password: 'p2' });
    expect(credentialsFor('third.example', env)).toBeUndefined();
    expect(credentialsFor('reg.example:5000', { ...env, AIRGAP_REGISTRY_AUTH: 'x.example=a:b,reg.example:5000=env-user:env-pw' })).toEqual({ username: 'env-user', password: 'env-pw' });
  });
});

describe('relative paths on the command line', () => {
  it('mirrors a git entry into a store named relative to the working directory (git runs elsewhere with -C)', async () => {
    const dir = await workspace('airgap-relstore-');
    const up = join(dir, 'up');
    execFileSync('git', ['init', '-q', '-b', 'main', up]);
    execFileSync('git', ['-C', up, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'one']);
    await mkdir(join(dir, 'release'));
    await writeFile(join(dir, 'release/factory.yaml'), `version: 1.0.0\ngit:\n  - { name: up, url: "${up}", ref: main }\n`);
    for (const args of [['lock', 'release'], ['mirror', 'release', '--store', 'store']]) {
      const r = await airgap([...args, '--results', 'results'], { cwd: dir });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    }
  });
});
