import { describe, it, expect, beforeAll } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap, spawnAirgap } from './helpers/workspace.ts';
import { run } from '../src/host/exec.ts';

/** `npm start` is `airgap demo`: the README's main command must work, and twice. */
describe('airgap demo', () => {
  let dir: string;
  beforeAll(async () => { dir = await workspace(); });

  it('runs the whole cycle and says where everything is', async () => {
    const r = await airgap(['demo', '--workspace', join(dir, 'ws'), '--results', join(dir, 'results')], { env: { AIRGAP_QUIET: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Demo complete: release 0\.1\.0-demo/);
    expect(r.stdout).toContain(`${join(dir, 'ws')}/bundle`);
    expect(r.stderr).toMatch(/git clone \/repository\/git\/demo-app\.git → HEAD [0-9a-f]{12} as locked/);
    expect((await readdir(join(dir, 'ws/bundle'))).sort()).toEqual(['SHA256SUMS', 'factory.lock.json', 'toc.json', 'toc.json.minisig', 'volume-0001.tar', 'volume-0002.tar']);
    expect((await readdir(join(dir, 'ws/keys'))).sort()).toEqual(['airgap-openpgp.asc', 'airgap-openpgp.key', 'airgap.key', 'airgap.pub']);
    expect(await readdir(join(dir, 'ws/repo'))).toEqual(expect.arrayContaining(['raw', 'git', 'blobs']));
    expect((await readdir(join(dir, 'results/0.1.0-demo'))).sort()).toEqual(['bundle.json', 'import.json', 'lock.json', 'mirror.json', 'verify.json']);
  });

  it('after the demo, `airgap serve --root DIR/repo` serves its image to skopeo', async () => {
    const lock = JSON.parse(await readFile(join(dir, 'ws/release/factory.lock.json'), 'utf8'));
    const hello = lock.artifacts.find((a: any) => a.id === 'oci:hello-image');
    const child = spawnAirgap(['serve', '--root', join(dir, 'ws/repo'), '--listen', '127.0.0.1:0', '--quiet']);
    try {
      const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
      const host = /http:\/\/(127\.0\.0\.1:\d+)/.exec(line)![1];
      const out = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/demo/hello:1.0`])).stdout);
      expect(out.Digest).toBe(hello.digest);
    } finally {
      const closed = new Promise((r) => child.on('close', r));
      child.kill('SIGTERM');
      await closed;
    }
  });

  it('pip installs the demo package from the served repository, at the versions the constraints pin', async () => {
    const child = spawnAirgap(['serve', '--root', join(dir, 'ws/repo'), '--listen', '127.0.0.1:0', '--quiet']);
    try {
      const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1];
      const venv = join(dir, 'venv');
      const env = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
      await run('python3', ['-m', 'venv', venv]);
      await run(join(venv, 'bin/pip'), ['install', '--quiet', '--index-url', `${url}/repository/pypi/simple/`, 'demo-greeting'], { env });
      const freeze = (await run(join(venv, 'bin/pip'), ['freeze'], { env })).stdout;
      expect(freeze).toMatch(/demo-greeting==1\.0/);
      expect(freeze).toMatch(/demo-words==1\.0/);
    } finally {
      const closed = new Promise((r) => child.on('close', r));
      child.kill('SIGTERM');
      await closed;
    }
  });

  it('a second run reuses the key, the store and the repository', async () => {
    const key = await readFile(join(dir, 'ws/keys/airgap.key'));
    const r = await airgap(['demo', '--workspace', join(dir, 'ws'), '--results', join(dir, 'results')], { env: { AIRGAP_QUIET: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reusing the key/);
    const toc = JSON.parse(await readFile(join(dir, 'ws/bundle/toc.json'), 'utf8'));
    expect(r.stderr).toContain(`0 fetched, ${toc.artifacts.length} already in the store`);
    expect(r.stderr).toContain(`0 blobs written, ${toc.blobs.length} already there`);
    expect(r.stderr).toMatch(/GET \/v2\/demo\/multi\/manifests\/1\.0 → sha256:[0-9a-f]{12}… as locked/);
    expect(await readFile(join(dir, 'ws/keys/airgap.key'))).toEqual(key);
  });
});
