import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, writeFile, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { workspace, spawnAirgap, airgap } from './helpers/workspace.ts';
import { startServer, type RunningServer } from '../src/serve/server.ts';
import { Repository } from '../src/repository/layout.ts';
import { run } from '../src/host/exec.ts';

/** A raw request: fetch() would normalise "..", which is exactly what must be tested. */
function get(base: string, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('airgap serve', () => {
  let dir: string;
  let s: RunningServer;
  beforeAll(async () => {
    dir = await workspace();
    const root = join(dir, 'repo');
    await mkdir(join(root, 'raw/proj'), { recursive: true });
    await writeFile(join(root, 'raw/proj/a.tar.gz'), 'archive\n');
    await writeFile(join(dir, 'secret.txt'), 'outside the repository\n');
    await symlink(join(dir, 'secret.txt'), join(root, 'raw/proj/escape'));
    await new Repository(root).addRepositories({ raw: 'raw', git: 'git' });
    s = await startServer(root, { host: '127.0.0.1', port: 0 });
  });
  afterAll(() => s.close());

  it('serves raw files at /repository/raw/<project>/<file>, with HEAD', async () => {
    expect(await get(s.url, '/repository/raw/proj/a.tar.gz')).toEqual({ status: 200, body: 'archive\n' });
    expect((await get(s.url, '/repository/raw/proj/a.tar.gz', 'HEAD')).status).toBe(200);
    expect((await get(s.url, '/repository/raw/proj/')).body).toMatch(/a\.tar\.gz/);
    expect((await get(s.url, '/repository/raw/proj/missing')).status).toBe(404);
    expect((await get(s.url, '/repository/nope/x')).status).toBe(404);
    expect((await get(s.url, '/repository/raw/proj/a.tar.gz', 'PUT')).status).toBe(405);
  });

  for (const path of [
    '/repository/raw/../../secret.txt',
    '/repository/raw/proj/../../../secret.txt',
    '/repository/raw/%2e%2e/%2e%2e/secret.txt',
    '/repository/raw/proj%2f..%2f..%2f..%2fsecret.txt',
    '/repository/raw/proj/a.tar.gz%00',
    '/repository/raw/..%5c..%5csecret.txt',
    '/repository/raw/%E0%A4%A',
  ]) {
    it(`refuses ${path}`, async () => {
      const r = await get(s.url, path);
      expect(r.status).toBe(400);
      expect(r.body).not.toMatch(/outside the repository/);
    });
  }

  it('does not follow a symlink out of the repository', async () => {
    const r = await get(s.url, '/repository/raw/proj/escape');
    expect(r.status).toBe(404);
    expect(r.body).not.toMatch(/outside/);
  });

  it('the registry refuses an upload whose bytes do not match its digest, keeping nothing, and an unknown manifest type', async () => {
    // a pusher's refusals: with the push token, past the anonymous refusal (test/registry-push.test.ts)
    const headers = { Authorization: `Bearer ${s.push!.token}` };
    const start = await fetch(`${s.url}/v2/team/x/blobs/uploads/`, { method: 'POST', headers });
    expect(start.status).toBe(202);
    const location = new URL(start.headers.get('location')!, s.url);
    location.searchParams.set('digest', `sha256:${'0'.repeat(64)}`);
    const put = await fetch(location, { method: 'PUT', headers, body: 'not those bytes' });
    expect(put.status).toBe(400);
    expect((await put.json()).errors[0].code).toBe('DIGEST_INVALID');
    const { sha256 } = await import('../src/util/hash.ts');
    expect((await fetch(`${s.url}/v2/team/x/blobs/sha256:${sha256('not those bytes')}`, { method: 'HEAD' })).status).toBe(404);
    const m = await fetch(`${s.url}/v2/team/x/manifests/1.0`, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/x-nonsense' }, body: JSON.stringify({ mediaType: 'application/x-nonsense' }) });
    expect(m.status).toBe(400);
    expect((await m.json()).errors[0].code).toBe('MANIFEST_INVALID');
  });

  it('refuses git push (read-only)', async () => {
    const bare = join(dir, 'repo/git/x.git');
    await run('git', ['init', '-q', '--bare', bare]);
    const work = join(dir, 'work');
    await run('git', ['init', '-q', '-b', 'main', work]);
    await writeFile(join(work, 'f'), 'x');
    await run('git', ['-C', work, 'add', '.']);
    await run('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x']);
    await expect(run('git', ['-C', work, 'push', `${s.url}/repository/git/x.git`, 'main'])).rejects.toThrow(/403|not found|failed/);
  });

  it('a port in use is a clear usage error, not a crash', async () => {
    const port = new URL(s.url).port;
    const r = await airgap(['serve', '--root', join(dir, 'repo'), '--listen', `127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address in use`));
  });

  it('listens on loopback by default and prints where', async () => {
    const child = spawnAirgap(['serve', '--root', join(dir, 'repo'), '--listen', '127.0.0.1:0', '--quiet']);
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
    expect(line).toMatch(/^serving .* at http:\/\/127\.0\.0\.1:\d+\/repository\//);
    const url = line.match(/(http:\/\/127\.0\.0\.1:\d+)/)![1];
    expect((await get(url, '/repository/raw/proj/a.tar.gz')).status).toBe(200);
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGTERM');
    await closed;
  });
});
