import { onCleanup } from './helpers/cleanup.ts';
import { describe, it, expect, beforeAll } from 'vitest';
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { workspace, airgap, spawnAirgap } from './helpers/workspace.ts';
import { demoBundle } from './helpers/bundle-fixture.ts';
import { run } from '../src/host/exec.ts';
import { Store } from '../src/store/store.ts';
import { writeImage } from '../src/oci/image.ts';
import { RegistryClient } from '../src/oci/client.ts';
import { pushImage } from '../src/oci/push.ts';
import { startServer } from '../src/serve/server.ts';
import { sha256 } from '../src/util/hash.ts';
import { tagRef } from '../src/oci/layout.ts';
import { findPushAccess } from '../src/serve/push-access.ts';

const CREATED = '2024-01-01T00:00:00.000Z';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One plain HTTP request, as curl would send it: no client library deciding anything. */
function http(target: { url?: string; socketPath?: string }, method: string, path: string, o: { body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const u = target.url ? new URL(target.url) : undefined;
  return new Promise((resolve, reject) => {
    const req = request({ host: u?.hostname, port: u?.port, socketPath: target.socketPath, path, method, headers: { ...(o.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const basic = (password: string, user = 'anyone') => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('the served registry: anonymous reads, pushes with credentials, imported tags fixed', () => {
  let dir: string;
  let repo: string;
  let url: string;
  let host: string;
  let pushDir: string;
  let token: string;
  let imported: string;
  let child: ChildProcess;
  let src: Store;
  let other: { digest: string; size: number; mediaType: string };

  beforeAll(async () => {
    dir = await workspace('airgap-regpush-');
    const b = await demoBundle(join(dir, 'b'));
    repo = join(dir, 'repo');
    const r = await airgap(['import', b.bundle, '--trust', b.keys.publicPath, '--to', repo, '--apt-key', b.aptKey, '--results', join(dir, 'results')]);
    expect(r.code, r.stderr).toBe(0);
    const lock = JSON.parse(await readFile(join(b.release, 'factory.lock.json'), 'utf8'));
    imported = lock.artifacts.find((a: any) => a.id === 'oci:hello-image').digest;
    // the real command, as an operator starts it
    pushDir = join(dir, 'push');
    child = spawnAirgap(['serve', '--root', repo, '--listen', '127.0.0.1:0', '--quiet', '--push-dir', pushDir]);
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (d) => { text += d; if (/push: .*\n/.test(text)) resolve(text); });
      child.on('close', () => reject(new Error(`airgap serve exited: ${text}`)));
    });
    onCleanup(() => new Promise((r) => { child.once('close', r); child.kill('SIGTERM'); }));
    url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    host = new URL(url).host;
    expect(out).toContain(`push: socket ${join(pushDir, 'push.sock')}; credentials in ${join(pushDir, 'config.json')}`);
    const auth = JSON.parse(await readFile(join(pushDir, 'config.json'), 'utf8')).auths[host].auth;
    token = Buffer.from(auth, 'base64').toString().split(':')[1];
    src = new Store(join(dir, 'src'));
    const img = await writeImage(src, { architecture: 'amd64', created: CREATED, files: { 'built.txt': 'built inside the gap\n' } });
    other = img;
  }, 180_000);

  it('writes the push credentials 0600 in a 0700 directory, in a file docker and skopeo read', async () => {
    expect((await stat(pushDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(pushDir, 'config.json'))).mode & 0o777).toBe(0o600);
    expect(token.length).toBeGreaterThanOrEqual(40);
  });

  it('anonymous: reads work; every write is 401 with a challenge and an OCI error body', async () => {
    expect((await http({ url }, 'GET', `/v2/demo/hello/manifests/1.0`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(200);
    const blob = Buffer.from('anonymous bytes\n');
    const d = `sha256:${sha256(blob)}`;
    const manifest = await readFile(src.blobPath(other.digest));
    for (const [method, path, body] of [
      ['POST', '/v2/demo/hello/blobs/uploads/', undefined],
      ['POST', `/v2/demo/hello/blobs/uploads/?digest=${d}`, blob],
      ['PUT', `/v2/demo/hello/blobs/uploads/x?digest=${d}`, blob],
      ['PATCH', '/v2/demo/hello/blobs/uploads/x', blob],
      ['PUT', '/v2/demo/hello/manifests/1.0', manifest],
      ['PUT', '/v2/new/thing/manifests/1.0', manifest],
      ['DELETE', `/v2/demo/hello/manifests/${imported}`, undefined],
      ['DELETE', '/v2/demo/hello/blobs/uploads/x', undefined],
    ] as const) {
      const r = await http({ url }, method, path, { body, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(new RegExp(`^Bearer realm="${url}/v2/token",service="airgap serve"`));
      expect(JSON.parse(r.body).errors[0].code).toBe('UNAUTHORIZED');
    }
    // a wrong token is no better than none
    expect((await http({ url }, 'POST', '/v2/demo/hello/blobs/uploads/', { headers: basic('not-the-token') })).status).toBe(401);
    expect((await http({ url }, 'POST', '/v2/demo/hello/blobs/uploads/', { headers: { Authorization: 'Bearer not-the-token' } })).status).toBe(401);
    // /v2/ says how to log in (the token spec); the blob never arrived
    expect((await http({ url }, 'GET', '/v2/')).headers['www-authenticate']).toBe(`Bearer realm="${url}/v2/token",service="airgap serve"`);
    expect((await http({ url }, 'HEAD', `/v2/demo/hello/blobs/${d}`)).status).toBe(404);
  });

  it('the token endpoint: an anonymous token without credentials (it only reads), the push token for the right password, 401 for a wrong one', async () => {
    const anon = await http({ url }, 'GET', '/v2/token?service=airgap+serve&scope=repository:demo/hello:pull');
    expect(JSON.parse(anon.body).token).toBe('anonymous');
    expect((await http({ url }, 'GET', '/v2/', { headers: { Authorization: 'Bearer anonymous' } })).status).toBe(200);
    expect((await http({ url }, 'POST', '/v2/demo/hello/blobs/uploads/', { headers: { Authorization: 'Bearer anonymous' } })).status).toBe(401);
    const wrong = await http({ url }, 'GET', '/v2/token?scope=repository:x:push', { headers: basic('guess') });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).errors[0].code).toBe('UNAUTHORIZED');
    const right = await http({ url }, 'GET', '/v2/token?scope=repository:x:push', { headers: basic(token) });
    expect(JSON.parse(right.body).token).toBe(token);
  });

  it('curl, anonymous: a manifest PUT that would replace the imported tag is refused and the tag is unchanged', async () => {
    const file = join(dir, 'manifest.json');
    await run('cp', [src.blobPath(other.digest), file]);
    const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PUT', '-H', 'Content-Type: application/vnd.oci.image.manifest.v1+json', '--data-binary', `@${file}`, `${url}/v2/demo/hello/manifests/1.0`]);
    expect(r.stdout).toBe('401');
    expect((await new RegistryClient(host).hasManifest('demo/hello', '1.0'))).toBe(imported);
  });

  it('with the token (Basic, any user, or Bearer): our client pushes a new tag; skopeo too, with --dest-creds and with the auth file', async () => {
    const client = new RegistryClient(host, { credentials: { username: 'airgap', password: token } });
    await pushImage(client, 'built/thing', '1.0', src, other.digest);
    expect(await client.hasManifest('built/thing', '1.0')).toBe(other.digest);
    expect((await http({ url }, 'GET', '/v2/', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    await tagRef(src.root, 'built:2.0', other);
    await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `someone:${token}`, `oci:${src.root}:built:2.0`, `docker://${host}/skopeo/creds:2.0`]);
    await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${src.root}:built:2.0`, `docker://${host}/skopeo/authfile:2.0`], { env: { ...process.env, REGISTRY_AUTH_FILE: join(pushDir, 'config.json') } });
    for (const name of ['skopeo/creds', 'skopeo/authfile']) expect(await client.hasManifest(name, '2.0')).toBe(other.digest);
    // and without: skopeo is refused
    const anon = await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${src.root}:built:2.0`, `docker://${host}/skopeo/anon:2.0`], { env: { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'none.json') } }).catch((e: Error) => e);
    expect(anon).toBeInstanceOf(Error);
    expect(String(anon)).toMatch(/401|unauthorized|authentication required/i);
    expect(await client.hasManifest('skopeo/anon', '2.0')).toBeUndefined();
  });

  it('on the push socket, a push needs no credentials', async () => {
    const socketPath = join(pushDir, 'push.sock');
    expect((await http({ socketPath }, 'GET', '/v2/')).status).toBe(200);
    const blob = Buffer.from('pushed over the socket\n');
    const d = `sha256:${sha256(blob)}`;
    const r = await http({ socketPath }, 'POST', `/v2/socket/blob/blobs/uploads/?digest=${d}`, { body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(r.status, r.body).toBe(201);
    expect((await http({ url }, 'HEAD', `/v2/socket/blob/blobs/${d}`)).status).toBe(200);
  });

  it('an imported tag keeps its digest: a credentialed push of another manifest is 403 DENIED; the same digest is accepted', async () => {
    const client = new RegistryClient(host, { credentials: { username: 'airgap', password: token } });
    const err = await pushImage(client, 'demo/hello', '1.0', src, other.digest).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toMatch(/HTTP 403 DENIED: demo\/hello:1\.0 was imported from a signed bundle as sha256:[0-9a-f]{64}; a push may not move it/);
    // over the socket too: being allowed to push is not being allowed to move an import
    const bytes = await readFile(src.blobPath(other.digest));
    const r = await http({ socketPath: join(pushDir, 'push.sock') }, 'PUT', '/v2/demo/hello/manifests/1.0', { body: bytes, headers: { 'Content-Type': other.mediaType } });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).errors[0].code).toBe('DENIED');
    expect(await client.hasManifest('demo/hello', '1.0')).toBe(imported);
    const pulled = await client.getManifest('demo/hello', '1.0');
    expect(pulled.digest).toBe(imported);
    // re-pushing exactly what was imported moves nothing, so it is no refusal
    const same = await client.getManifest('demo/hello', imported);
    const again = await http({ url }, 'PUT', '/v2/demo/hello/manifests/1.0', { body: same.bytes, headers: { ...basic(token), 'Content-Type': same.mediaType } });
    expect(again.status).toBe(201);
    expect(await client.hasManifest('demo/hello', '1.0')).toBe(imported);
  });

  it('with --replace, a push may move an imported tag', async () => {
    const s = await startServer(repo, { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'push-replace'), replace: true });
    try {
      const client = new RegistryClient(new URL(s.url).host, { credentials: { username: 'x', password: s.push!.token } });
      await pushImage(client, 'demo/hello', '1.0', src, other.digest);
      expect(await client.hasManifest('demo/hello', '1.0')).toBe(other.digest);
    } finally {
      await s.close();
    }
  });

  it('airgap serve --help says who may push', async () => {
    const r = await airgap(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['--push-dir', '--replace', '--upload-max-age', 'read-only for anonymous clients', 'push.sock', '403 DENIED']) expect(r.stdout).toContain(s);
  });
});

describe('abandoned uploads', () => {
  let dir: string;
  beforeAll(async () => { dir = await workspace('airgap-uploads-'); });

  const open = async (socketPath: string, name = 'a/b') => {
    const r = await http({ socketPath }, 'POST', `/v2/${name}/blobs/uploads/`);
    expect(r.status).toBe(202);
    const location = String(r.headers.location);
    await http({ socketPath }, 'PATCH', location, { body: 'some bytes', headers: { 'Content-Type': 'application/octet-stream' } });
    return location;
  };
  const temporaries = () => readdir(join(dir, 'repo/.airgap/uploads')).catch(() => []);

  it('an upload idle past the age limit is gone: its session 404s and its bytes are removed', async () => {
    const s = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'p1'), uploads: { maxAgeMs: 300 } });
    try {
      const socketPath = s.push!.socket;
      const location = await open(socketPath);
      expect((await http({ socketPath }, 'GET', location)).status).toBe(204);
      expect(await temporaries()).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 1000));
      const r = await http({ socketPath }, 'GET', location);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
      expect((await http({ socketPath }, 'PUT', `${location}?digest=sha256:${sha256(Buffer.from('some bytes'))}`)).status).toBe(404);
      expect(await temporaries()).toHaveLength(0);
    } finally {
      await s.close();
    }
  });

  it('over the count limit, the oldest idle upload makes room', async () => {
    const s = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'p2'), uploads: { maxCount: 2 } });
    try {
      const socketPath = s.push!.socket;
      const first = await open(socketPath);
      const second = await open(socketPath);
      const third = await open(socketPath);
      expect((await http({ socketPath }, 'GET', first)).status).toBe(404);
      expect((await http({ socketPath }, 'GET', second)).status).toBe(204);
      expect((await http({ socketPath }, 'GET', third)).status).toBe(204);
      expect(await temporaries()).toHaveLength(2);
    } finally {
      await s.close();
    }
    // and a stopped server leaves no upload bytes behind
    expect(await temporaries()).toHaveLength(0);
  });

  it('on start, upload temporaries an earlier server left (older than the age limit) are removed; newer ones stay', async () => {
    const tmp = join(dir, 'repo/.airgap/uploads');
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, '.tmp-1-old'), 'left by a server that died');
    await utimes(join(tmp, '.tmp-1-old'), new Date(Date.now() - 7200_000), new Date(Date.now() - 7200_000));
    await writeFile(join(tmp, '.tmp-1-new'), 'still being written');
    const s = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: false });
    try {
      expect(await temporaries()).toEqual(['.tmp-1-new']);
      // and with no push directory, nobody may push, not even with a token-looking header
      expect((await http({ url: s.url }, 'POST', '/v2/a/b/blobs/uploads/', { headers: { Authorization: 'Bearer anonymous' } })).status).toBe(401);
    } finally {
      await s.close();
      await rm(join(tmp, '.tmp-1-new'));
    }
  });

  it('limits and push directories that are not usable are usage errors (exit 2)', async () => {
    const bad = await airgap(['serve', '--root', join(dir, 'repo'), '--listen', '127.0.0.1:0', '--upload-max-count', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--upload-max-count: not a positive whole number: "0"/);
    const build = await airgap(['build', 'command', join(dir, 'nowhere'), '--server', 'http://127.0.0.1:9', '--push-dir', join(dir, 'no-push-dir'), '--', 'true']);
    expect(build.code).toBe(2);
    expect(build.stderr).toMatch(/--push-dir .*no-push-dir: no push socket or credentials there/);
  });

  it('over the byte limit, idle uploads make room', async () => {
    const s = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'p3'), uploads: { maxBytes: 15 } });
    try {
      const socketPath = s.push!.socket;
      const first = await open(socketPath);
      const second = await open(socketPath);
      // 20 bytes held, 15 allowed: the next upload's start makes room
      const third = await open(socketPath);
      expect((await http({ socketPath }, 'GET', first)).status).toBe(404);
      expect((await http({ socketPath }, 'GET', second)).status).toBe(204);
      expect((await http({ socketPath }, 'GET', third)).status).toBe(204);
    } finally {
      await s.close();
    }
  });
});

describe('push directories and busy uploads: the refusals', () => {
  let dir: string;
  beforeAll(async () => { dir = await workspace('airgap-pushdir-'); });

  it('a push directory owned by another user, or in a directory another user owns, is refused (exit 2) and nothing listens', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip('giving a directory to another user needs root');
    await mkdir(join(dir, 'theirs'), { mode: 0o700 });
    await run('chown', ['65534:65534', join(dir, 'theirs')]);
    const err = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'theirs') }).catch((e: Error) => e);
    expect(String(err)).toMatch(/push directory .*theirs is not a directory owned by uid 0/);
    expect((err as { exitCode?: number }).exitCode).toBe(2);
    await mkdir(join(dir, 'parent'));
    await run('chown', ['65534:65534', join(dir, 'parent')]);
    const err2 = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'parent/push') }).catch((e: Error) => e);
    expect(String(err2)).toMatch(/push directory .*parent\/push is in .*parent, owned by uid 65534: that user could replace it/);
  });

  it('a push directory a running server holds is refused to a second server (the same address in another network namespace shares /run)', async () => {
    const first = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'shared') });
    try {
      const err = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'shared') }).catch((e: Error) => e);
      expect(String(err)).toMatch(/push socket .*shared\/push\.sock belongs to another running airgap serve/);
      // and the first one still has its socket and credentials
      expect((await http({ socketPath: first.push!.socket }, 'GET', '/v2/')).status).toBe(200);
      expect(findPushAccess(first.url, join(dir, 'shared'))?.credentials?.password).toBe(first.push!.token);
    } finally {
      await first.close();
    }
    // stopped, it leaves no directory behind
    expect(await stat(join(dir, 'shared')).catch(() => 'gone')).toBe('gone');
  });

  it('a build does not use a push directory others can enter, nor one owned by another user', async () => {
    const s = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'mine') });
    try {
      expect(findPushAccess(s.url, join(dir, 'mine'))).toMatchObject({ socket: s.push!.socket, credentials: { username: 'airgap', password: s.push!.token } });
      await chmod(join(dir, 'mine'), 0o755);
      expect(findPushAccess(s.url, join(dir, 'mine'))).toBeUndefined();
      await chmod(join(dir, 'mine'), 0o700);
      if (process.getuid?.() === 0) {
        await run('chown', ['65534:65534', join(dir, 'mine')]);
        expect(findPushAccess(s.url, join(dir, 'mine'))).toBeUndefined();
        await run('chown', ['0:0', join(dir, 'mine')]);
      }
    } finally {
      await s.close();
    }
  });

  it('when every upload session is receiving, a new one is 429 TOOMANYREQUESTS', async () => {
    const s = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 }, undefined, { pushDir: join(dir, 'busy'), uploads: { maxCount: 1 } });
    try {
      const socketPath = s.push!.socket;
      const start = await http({ socketPath }, 'POST', '/v2/a/b/blobs/uploads/');
      // a PATCH that has sent part of its body and not finished: the session is busy
      const patch = request({ socketPath, path: String(start.headers.location), method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' } });
      patch.on('error', () => {});
      patch.write('part of a blob');
      await new Promise((r) => setTimeout(r, 200));
      const r = await http({ socketPath }, 'POST', '/v2/a/b/blobs/uploads/');
      expect(r.status).toBe(429);
      expect(JSON.parse(r.body).errors[0].code).toBe('TOOMANYREQUESTS');
      expect(r.headers['retry-after']).toBe('10');
      patch.end();
      expect((await http({ socketPath }, 'GET', String(start.headers.location))).status).toBe(204);
    } finally {
      await s.close();
    }
  });
});
