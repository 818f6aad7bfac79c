import { onCleanup } from './helpers/cleanup.ts';
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';
import { dockerRegistry, tokenServer, type Registry } from './helpers/docker-registry.ts';
import { run } from '../src/host/exec.ts';
import { Store } from '../src/store/store.ts';
import { writeImage, writeIndex } from '../src/oci/image.ts';
import { tagRef } from '../src/oci/layout.ts';
import { handler, startServer } from '../src/serve/server.ts';
import { generateKeyPair } from '../src/trust/keys.ts';
import { OCI_MANIFEST } from '../src/oci/media.ts';
import { dockerEngine } from './helpers/dockerd.ts';
import { RegistryClient } from '../src/oci/client.ts';
import { pushImage } from '../src/oci/push.ts';
import { createReadStream } from 'node:fs';

const CREATED = '2024-01-01T00:00:00.000Z';
/** sha256 of the exact manifest bytes a registry serves, read by skopeo. */
const rawDigest = async (ref: string, ...flags: string[]) => {
  const { createHash } = await import('node:crypto');
  const raw = (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', ...flags, ref])).stdout;
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
};

describe('oci: container images across the gap, through real registries', () => {
  let dir: string;
  let src: Store;
  let open: Registry;
  let basic: Registry;
  let token: Registry;
  let target: Registry;
  const digests: Record<string, string> = {};
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let tokens: Awaited<ReturnType<typeof tokenServer>>;

  beforeAll(async () => {
    dir = await workspace('airgap-oci-');
    src = new Store(join(dir, 'src'));
    const hello = await writeImage(src, { architecture: 'amd64', created: CREATED, files: { 'hello.sh': '#!/bin/sh\necho hi\n' } });
    await tagRef(src.root, 'hello:1.0', hello);
    const platforms = [
      await writeImage(src, { architecture: 'amd64', created: CREATED, files: { arch: 'amd64' } }),
      await writeImage(src, { architecture: 'arm64', variant: 'v8', created: CREATED, files: { arch: 'arm64' } }),
      await writeImage(src, { architecture: 'arm', variant: 'v7', created: CREATED, files: { arch: 'armv7' } }),
    ];
    const multi = await writeIndex(src, platforms);
    await tagRef(src.root, 'multi:1.0', multi);
    Object.assign(digests, { hello: hello.digest, multi: multi.digest, amd64: platforms[0].digest, arm64: platforms[1].digest });

    tokens = await tokenServer(join(dir, 'token'), { puller: 'tok3n' });
    [open, basic, token, target] = await Promise.all([
      dockerRegistry(join(dir, 'reg-open')),
      dockerRegistry(join(dir, 'reg-basic'), { basic: { user: 'tester', password: 's3cret' } }),
      dockerRegistry(join(dir, 'reg-token'), { token: tokens }),
      dockerRegistry(join(dir, 'reg-target')),
    ]);
    // Populate the upstreams with skopeo, an independent client.
    await run('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${src.root}:multi:1.0`, `docker://${open.host}/team/multi:1.0`]);
    await run('skopeo', ['copy', '--all', '--dest-tls-verify=false', '--dest-creds', 'tester:s3cret', `oci:${src.root}:hello:1.0`, `docker://${basic.host}/team/hello:1.0`]);
    await run('skopeo', ['copy', '--all', '--dest-tls-verify=false', '--dest-creds', 'tester:s3cret', `oci:${src.root}:multi:1.0`, `docker://${basic.host}/team/multi:1.0`]);
    await run('skopeo', ['copy', '--all', '--dest-tls-verify=false', '--dest-creds', 'puller:tok3n', `oci:${src.root}:multi:1.0`, `docker://${token.host}/team/multi:1.0`]);
    keys = await generateKeyPair(join(dir, 'keys'));
  }, 120_000);

  /** declare → lock → mirror → bundle → verify → import (embedded + --registry), all by the CLI */
  async function cycle(name: string, yaml: string[], env: NodeJS.ProcessEnv = {}) {
    const w = join(dir, name);
    await mkdir(join(w, 'release'), { recursive: true });
    await writeFile(join(w, 'release/factory.yaml'), ['version: 1.0.0', 'oci:', ...yaml].join('\n') + '\n');
    const results = join(w, 'results');
    const step = async (args: string[]) => {
      const r = await airgap([...args, '--results', results], { env });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      return r;
    };
    await step(['lock', join(w, 'release')]);
    await step(['mirror', join(w, 'release'), '--store', join(w, 'store')]);
    await step(['bundle', join(w, 'release'), '--store', join(w, 'store'), '--out', join(w, 'bundle'), '--key', keys.secretPath]);
    await step(['verify', join(w, 'bundle'), '--trust', keys.publicPath]);
    // Env B has no credentials for the upstreams: nothing may reach them from here on.
    await step(['import', join(w, 'bundle'), '--trust', keys.publicPath, '--to', join(w, 'repo'), '--registry', `http://${target.host}`]);
    const lock = JSON.parse(await readFile(join(w, 'release/factory.lock.json'), 'utf8'));
    return { w, lock, repo: join(w, 'repo') };
  }

  async function pinnedEverywhere(c: Awaited<ReturnType<typeof cycle>>) {
    const served = await startServer(c.repo, { host: '127.0.0.1', port: 0 });
    try {
      for (const a of c.lock.artifacts) {
        const host = new URL(served.url).host;
        expect(await rawDigest(`docker://${host}/${a.target}`), `embedded ${a.target}`).toBe(a.digest);
        expect(await rawDigest(`docker://${target.host}/${a.target}`), `second registry ${a.target}`).toBe(a.digest);
        const out = join(c.w, `copy-${a.name}`);
        await run('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${host}/${a.target}`, `oci:${out}:x`]);
        await run('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${target.host}/${a.target}`, `oci:${out}-2:x`]);
      }
    } finally {
      await served.close();
    }
  }

  it('with basic auth: a multi-platform index keeps its digest, a single image its own, in both targets', async () => {
    const c = await cycle('basic', [
      `  - { name: hello, image: "${basic.host}/team/hello:1.0" }`,
      `  - { name: multi, image: "${basic.host}/team/multi:1.0", platforms: all, as: "mirror/multi:1.0" }`,
    ], { AIRGAP_REGISTRY_AUTH: `${basic.host}=tester:s3cret` });
    expect(c.lock.artifacts.map((a: any) => [a.id, a.digest])).toEqual([['oci:hello', digests.hello], ['oci:multi', digests.multi]]);
    await pinnedEverywhere(c);
  });

  it('with token auth (distribution token spec)', async () => {
    const before = tokens.requests;
    const c = await cycle('token', [`  - { name: multi, image: "${token.host}/team/multi:1.0", platforms: all }`], { AIRGAP_REGISTRY_AUTH: `${token.host}=puller:tok3n` });
    expect(tokens.requests - before, 'tokens were fetched from the token server').toBeGreaterThan(0);
    expect(c.lock.artifacts[0].digest).toBe(digests.multi);
    await pinnedEverywhere(c);
  });

  it('a platform subset: one platform is that manifest; two are a new index of just those', async () => {
    const c = await cycle('subset', [
      `  - { name: one, image: "${open.host}/team/multi:1.0", platforms: [linux/arm64], as: "sub/one:1.0" }`,
      `  - { name: two, image: "${open.host}/team/multi:1.0", platforms: [linux/amd64, linux/arm64], as: "sub/two:1.0" }`,
    ]);
    const [one, two] = c.lock.artifacts;
    expect(one.digest).toBe(digests.arm64);
    expect(one.sourceDigest).toBe(digests.multi);
    expect(two.digest).not.toBe(digests.multi);
    const served = await startServer(c.repo, { host: '127.0.0.1', port: 0 });
    try {
      const raw = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${new URL(served.url).host}/sub/two:1.0`])).stdout);
      expect(raw.manifests.map((m: any) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
      expect(await rawDigest(`docker://${new URL(served.url).host}/sub/two:1.0`)).toBe(two.digest);
    } finally {
      await served.close();
    }
  });

  it('chunked uploads (PATCH with Content-Range) and a cross-repository mount, under token auth', async () => {
    const client = new RegistryClient(token.host, { credentials: { username: 'puller', password: 'tok3n' } });
    const counts = await pushImage(client, 'team/chunked', '1.0', src, digests.hello, { chunkSize: 32 });
    expect(counts.uploaded).toBe(2);
    const manifest = JSON.parse(await readFile(src.blobPath(digests.hello), 'utf8'));
    const layer = manifest.layers[0];
    expect(layer.size, 'the layer spans several chunks').toBeGreaterThan(64);
    const open = (start: number, end: number) => createReadStream(src.blobPath(layer.digest), { start, end });
    expect(await client.pushBlob('team/mounted', layer, open, { mountFrom: 'team/chunked' })).toBe('mounted');
    expect(await client.pushBlob('team/mounted', layer, open, { mountFrom: 'team/chunked' })).toBe('present');
    expect(await rawDigest(`docker://${token.host}/team/chunked:1.0`, '--creds', 'puller:tok3n')).toBe(digests.hello);
  });

  it('a platform the index lacks fails at lock, listing what it has', async () => {
    await mkdir(join(dir, 'nope'), { recursive: true });
    await writeFile(join(dir, 'nope/factory.yaml'), `version: 1.0.0\noci:\n  - { name: m, image: "${open.host}/team/multi:1.0", platforms: [linux/s390x] }\n`);
    const r = await airgap(['lock', join(dir, 'nope'), '--results', join(dir, 'r')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no linux\/s390x in the index \(it has linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7\)/);
  });

  it('a 401 without credentials is a clear error naming the registry', async () => {
    await mkdir(join(dir, 'nocreds'), { recursive: true });
    await writeFile(join(dir, 'nocreds/factory.yaml'), `version: 1.0.0\noci:\n  - { name: h, image: "${basic.host}/team/hello:1.0" }\n`);
    const r = await airgap(['lock', join(dir, 'nocreds'), '--results', join(dir, 'r')], { env: { AIRGAP_REGISTRY_AUTH: '', DOCKER_CONFIG: join(dir, 'no-docker-config') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`registry ${basic.host.replace(/\./g, '\\.')} requires credentials \\(HTTP 401, Basic\\)`));
  });

  describe('a misbehaving registry', () => {
    let faulty: string;
    let fail503 = 0;
    let hits = 0;
    let badLayer: string;
    beforeAll(async () => {
      // Our own registry implementation over a store, with faults injected in front of it.
      const root = join(dir, 'faulty');
      const store = new Store(root);
      const good = await writeImage(store, { architecture: 'amd64', created: CREATED, files: { good: 'yes' } });
      await tagRef(root, 'good:1.0', good);
      // bytes that do not match their digest
      const bad = await writeImage(store, { architecture: 'amd64', created: CREATED, files: { bad: 'bytes' } });
      const badManifest = JSON.parse(await readFile(store.blobPath(bad.digest), 'utf8'));
      badLayer = badManifest.layers[0].digest;
      const path = store.blobPath(badLayer);
      const bytes = await readFile(path);
      bytes[bytes.length - 1] ^= 0xff;
      await writeFile(path, bytes);
      await tagRef(root, 'corrupt:1.0', bad);
      // a manifest that lies about a blob's size
      const liar = JSON.parse(await readFile(store.blobPath(good.digest), 'utf8'));
      liar.layers[0].size += 7;
      const liarBlob = await store.ingest([Buffer.from(JSON.stringify(liar))], { what: 'liar' });
      await tagRef(root, 'liar:1.0', { mediaType: OCI_MANIFEST, digest: liarBlob.digest, size: liarBlob.size });
      const inner = handler(root);
      const server = createServer((req, res) => {
        hits++;
        if (fail503 > 0 && req.url?.includes('/manifests/')) { fail503--; return void res.writeHead(503).end('busy'); }
        void inner(req, res);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      faulty = `127.0.0.1:${(server.address() as { port: number }).port}`;
      onCleanup(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    });

    const lockAndMirror = async (name: string, image: string) => {
      const rel = join(dir, `fault-${name}`);
      await mkdir(rel, { recursive: true });
      await writeFile(join(rel, 'factory.yaml'), `version: 1.0.0\noci:\n  - { name: ${name}, image: "${faulty}/${image}" }\n`);
      const l = await airgap(['lock', rel, '--results', join(dir, 'r')]);
      if (l.code !== 0) return l;
      return airgap(['mirror', rel, '--store', join(rel, 'store'), '--results', join(dir, 'r')]);
    };

    it('a blob whose bytes do not match its digest is refused, naming the blob', async () => {
      const r = await lockAndMirror('corrupt', 'corrupt:1.0');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`blob ${badLayer}: expected ${badLayer}, got sha256:[0-9a-f]{64}`));
    });

    it('a manifest that lies about a blob size is refused', async () => {
      const r = await lockAndMirror('liar', 'liar:1.0');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/blob sha256:[0-9a-f]{64}: \d+ bytes, expected \d+/);
    });

    it('503 twice, then success', async () => {
      fail503 = 2;
      const before = hits;
      const r = await lockAndMirror('good', 'good:1.0');
      expect(r.code, r.stderr).toBe(0);
      expect(fail503).toBe(0);
      expect(hits - before).toBeGreaterThan(2);
    });
  });

  it('docker pull (and containerd\'s ctr pull) from the embedded server', async (ctx) => {
    const engine = await dockerEngine(join(dir, 'dockerd'));
    if ('skip' in engine) return ctx.skip(engine.skip);
    let served: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      const c = await cycle('docker', [`  - { name: hello, image: "${open.host}/team/multi:1.0", as: "d/hello:1.0" }`]);
      served = await startServer(c.repo, { host: '127.0.0.1', port: 0 });
      const ref = `${new URL(served.url).host}/d/hello:1.0`;
      const out = (await run('docker', ['pull', ref], { env: { ...process.env, ...engine.env } })).stdout;
      expect(out).toContain(`Digest: ${c.lock.artifacts[0].digest}`);
      await run('docker', ['rmi', ref], { env: { ...process.env, ...engine.env } }).catch(() => undefined);
      // containerd (the engine's own, when we started it): its resolver is not docker's
      if (engine.env.DOCKER_HOST) expect(engine.containerd, 'the engine we started has its containerd socket').toBeDefined();
      if (engine.containerd) {
        const pulled = (await run('ctr', ['--address', engine.containerd, '--namespace', 'airgap-test', 'images', 'pull', '--plain-http', ref])).stdout;
        expect(pulled).toContain(c.lock.artifacts[0].digest);
      }
    } finally {
      await served?.close();
      await engine.stop();
    }
  });
});
