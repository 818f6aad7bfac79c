import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, readdir, stat, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { workspace, airgap } from './helpers/workspace.ts';
import { demoRelease } from './helpers/demo-release.ts';
import { startServer } from '../src/serve/server.ts';
import { evidenceSchemas } from '../src/evidence/schemas.ts';
import { sha256 } from '../src/util/hash.ts';
import { run } from '../src/host/exec.ts';

describe('backbone: lock → mirror → bundle → verify → import → serve', () => {
  let dir: string;
  let r: Awaited<ReturnType<typeof demoRelease>>;
  let lock: any;
  const results = () => join(dir, 'results');
  const ok = async (args: string[]) => {
    const res = await airgap([...args, '--results', results()], { env: r.env });
    expect(res.code, `${args.join(' ')}\n${res.stderr}`).toBe(0);
    return res;
  };

  beforeAll(async () => {
    dir = await workspace();
    r = await demoRelease(dir);
    await ok(['lock', r.release]);
    lock = JSON.parse(await readFile(join(r.release, 'factory.lock.json'), 'utf8'));
    await ok(['mirror', r.release, '--store', join(dir, 'store')]);
    await ok(['bundle', r.release, '--store', join(dir, 'store'), '--out', join(dir, 'bundle'), '--key', r.keys.secretPath, '--volume-size', '256K']);
  });

  it('lock pins files by sha256 (one per arch) and git by commit', async () => {
    const ids = lock.artifacts.map((a: any) => a.id);
    expect(ids).toEqual(['apt:debian/bookworm:demo-data_1.0-1_all', 'apt:debian/bookworm:demo-lib_1.0-1_amd64', 'apt:debian/bookworm:demo-tool_1.0-1_amd64', 'file:hello', 'file:tool:amd64', 'file:tool:arm64', 'file:world', 'git:demo-app', 'oci:hello-image', 'oci:multi-image', 'pypi:demo_greeting-1.0-py3-none-any.whl', 'pypi:demo_words-1.0-py3-none-any.whl']);
    const byId = (id: string) => lock.artifacts.find((a: any) => a.id === id);
    const hello = byId('file:hello');
    expect(hello.sha256).toBe(sha256(await readFile(join(r.upstreamDir, 'raw/tarballs/hello-1.0.tar.gz'))));
    expect(hello.version).toBe('1.0');
    expect(byId('file:tool:amd64').url).toMatch(/tool-amd64$/);
    const head = execFileSync('git', ['-C', join(r.upstreamDir, 'git/demo-app.git'), 'rev-parse', 'main']).toString().trim();
    expect(byId('git:demo-app')).toMatchObject({ commit: head, refName: 'refs/heads/main' });
  });

  it("the signature verifies with Debian's minisign and SHA256SUMS with sha256sum -c", async () => {
    const b = join(dir, 'bundle');
    const out = execFileSync('minisign', ['-Vm', join(b, 'toc.json'), '-p', r.keys.publicPath]).toString();
    expect(out).toMatch(/Signature and comment signature verified/);
    const sums = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: b }).toString();
    expect(sums).toMatch(/volume-0001\.tar: OK/);
    expect(sums).toMatch(/toc\.json: OK/);
  });

  it('splits volumes at file boundaries, none larger than the limit, each a tar of its own', async () => {
    const toc = JSON.parse(await readFile(join(dir, 'bundle/toc.json'), 'utf8'));
    expect(toc.volumes.length).toBeGreaterThan(1);
    for (const v of toc.volumes) {
      expect(v.size).toBeLessThanOrEqual(256 * 1024);
      expect((await stat(join(dir, 'bundle', v.name))).size).toBe(v.size);
      const names = execFileSync('tar', ['-tf', join(dir, 'bundle', v.name)]).toString().trim().split('\n');
      expect(names.length).toBe(v.blobs);
    }
    expect(toc.lock.sha256).toBe(sha256(await readFile(join(r.release, 'factory.lock.json'))));
    expect(toc.artifacts.map((a: any) => a.kind)).toEqual(['apt', 'apt', 'apt', 'file', 'file', 'file', 'file', 'git', 'oci', 'oci', 'pypi', 'pypi']);
  });

  it('bundling the same lock twice gives byte-identical volumes, toc and signature', async () => {
    await ok(['bundle', r.release, '--store', join(dir, 'store'), '--out', join(dir, 'bundle2'), '--key', r.keys.secretPath, '--volume-size', '256K']);
    const a = (await readdir(join(dir, 'bundle'))).sort();
    expect((await readdir(join(dir, 'bundle2'))).sort()).toEqual(a);
    for (const f of a) expect(sha256(await readFile(join(dir, 'bundle2', f))), f).toBe(sha256(await readFile(join(dir, 'bundle', f))));
  });

  it('a rerun of bundle with a larger volume size leaves no stale volume behind', async () => {
    await cp(join(dir, 'bundle'), join(dir, 'bundle3'), { recursive: true });
    await ok(['bundle', r.release, '--store', join(dir, 'store'), '--out', join(dir, 'bundle3'), '--key', r.keys.secretPath, '--volume-size', '1G']);
    expect((await readdir(join(dir, 'bundle3'))).filter((f) => f.startsWith('volume-'))).toEqual(['volume-0001.tar']);
  });

  it('verify passes and its evidence names the key', async () => {
    const res = await ok(['verify', join(dir, 'bundle'), '--trust', r.keys.publicPath, '--json']);
    const out = JSON.parse(res.stdout);
    expect(out.ok).toBe(true);
    const ev = evidenceSchemas.verify.parse(JSON.parse(await readFile(join(results(), '0.1.0-demo/verify.json'), 'utf8')));
    expect(ev.key?.fingerprint).toMatch(/^sha256:/);
    expect(ev.volumes.every((v) => v.ok)).toBe(true);
  });

  it('import, then serve: git clone and downloads give exactly the locked bytes', async () => {
    const repo = join(dir, 'repo');
    await ok(['import', join(dir, 'bundle'), '--trust', r.keys.publicPath, '--to', repo, '--apt-key', r.aptKey]);
    const s = await startServer(repo, { host: '127.0.0.1', port: 0 });
    try {
      for (const a of lock.artifacts.filter((x: any) => x.kind === 'file')) {
        const res = await fetch(`${s.url}/repository/raw/${a.path}`);
        expect(res.status).toBe(200);
        expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(a.sha256);
      }
      const clone = join(dir, 'clone');
      // async: the server runs in this process, a sync child would starve it
      await run('git', ['clone', '-q', `${s.url}/repository/git/demo-app.git`, clone]);
      expect(execFileSync('git', ['-C', clone, 'rev-parse', 'HEAD']).toString().trim()).toBe(lock.artifacts.find((a: any) => a.id === 'git:demo-app').commit);
      expect(execFileSync('git', ['-C', clone, 'log', '--format=%s']).toString()).toMatch(/first commit/);
    } finally {
      await s.close();
    }
  });

  it('a second import is idempotent and says what was already there', async () => {
    const res = await ok(['import', join(dir, 'bundle'), '--trust', r.keys.publicPath, '--to', join(dir, 'repo'), '--apt-key', r.aptKey, '--json']);
    const out = JSON.parse(res.stdout);
    const toc = JSON.parse(await readFile(join(dir, 'bundle/toc.json'), 'utf8'));
    expect(out.blobs.imported).toBe(0);
    expect(out.blobs.present).toBe(toc.blobs.length);
  });

  it('every step wrote evidence that its schema accepts', async () => {
    for (const step of ['lock', 'mirror', 'bundle', 'verify', 'import'] as const) {
      const data = JSON.parse(await readFile(join(results(), '0.1.0-demo', `${step}.json`), 'utf8'));
      expect(() => evidenceSchemas[step].parse(data), step).not.toThrow();
    }
    const bundle = JSON.parse(await readFile(join(results(), '0.1.0-demo/bundle.json'), 'utf8'));
    expect(bundle.tocSha256).toBe(sha256(await readFile(join(dir, 'bundle3/toc.json'))));
  });
});
