import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile, readFile, readdir, copyFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { freePort } from './helpers/docker-registry.ts';
import { startServer, type RunningServer } from '../src/serve/server.ts';
import { generateKeyPair } from '../src/trust/keys.ts';
import { run } from '../src/host/exec.ts';
import { buildDeb, indexAndSign } from './helpers/apt-upstream.ts';
import { serveStatic } from './helpers/static-server.ts';

/** Real .debs (dpkg-deb), indexed by apt-ftparchive, signed with openpgp.js, served by Python. */
async function upstreamRepo(dir: string, key: openpgp.PrivateKey, debs: [string, string, string, string?][] = [
  ['app', '1.0', 'amd64', 'libfoo (>= 2) | libbar, tool'],
  ['libfoo', '1.0', 'amd64'], ['libfoo', '2.0', 'amd64'], ['libbar', '1.0', 'amd64'],
  ['tool', '1.0', 'all'], ['other', '1.0', 'amd64'],
]) {
  for (const [name, version, arch, depends] of debs) await buildDeb(dir, join(dir, 'repo/pool/main'), name, version, arch, depends);
  await indexAndSign(join(dir, 'repo'), 'stable', key);
}

describe('apt: verified partial mirror with dependency closure, and a signed repository inside the gap', () => {
  let dir: string;
  let upstream: string;
  let served: RunningServer;
  let lock: any;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  const results = () => join(dir, 'results');

  beforeAll(async () => {
    dir = await workspace('airgap-apt-');
    const up = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'upstream' }], format: 'object' });
    await upstreamRepo(dir, up.privateKey);
    const port = await freePort();
    const http = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '--directory', join(dir, 'repo')], { stdio: 'ignore' });
    onCleanup(() => { if (http.exitCode === null) http.kill('SIGTERM'); });
    upstream = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && !(await fetch(`${upstream}/dists/stable/InRelease`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));

    const release = join(dir, 'release');
    await mkdir(release, { recursive: true });
    await writeFile(join(release, 'upstream.asc'), up.publicKey.armor());
    await writeFile(join(release, 'factory.yaml'), [
      'version: 1.0.0', 'apt:',
      `  - { name: deb, url: "${upstream}", suites: [stable], packages: [app], keyring: upstream.asc, as: { repository: debian, suite: bookworm } }`,
    ].join('\n') + '\n');
    keys = await generateKeyPair(join(dir, 'keys'));
    const pgp = await airgap(['keygen', '--openpgp', '--out', join(dir, 'keys')]);
    expect(pgp.code, pgp.stderr).toBe(0);
    for (const args of [
      ['lock', release], ['mirror', release, '--store', join(dir, 'store')],
      ['bundle', release, '--store', join(dir, 'store'), '--out', join(dir, 'bundle'), '--key', keys.secretPath],
      ['import', join(dir, 'bundle'), '--trust', keys.publicPath, '--to', join(dir, 'repo-in'), '--apt-key', join(dir, 'keys/airgap-openpgp.key')],
    ]) {
      const r = await airgap([...args, '--results', results()]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    }
    lock = JSON.parse(await readFile(join(release, 'factory.lock.json'), 'utf8'));
    served = await startServer(join(dir, 'repo-in'), { host: '127.0.0.1', port: 0 });
    onCleanup(() => served.close());
  }, 180_000);

  it('the closure: the first satisfiable alternative, arch all, nothing unasked', () => {
    expect(lock.artifacts.map((a: any) => `${a.name}=${a.version}`).sort()).toEqual(['app=1.0', 'libfoo=2.0', 'tool=1.0']);
  });

  it('another source in the same closure: a vendor repository, its own keyring, its own repository inside the gap, preferred only by pin priority', async () => {
    const vendorKey = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'vendor' }], format: 'object' });
    const vdir = join(dir, 'vendor');
    // vendorapp needs libfoo from the distribution; the vendor's older tool wins over the distribution's only with a higher pin priority
    await upstreamRepo(vdir, vendorKey.privateKey, [['vendorapp', '2.0', 'amd64', 'libfoo (>= 2), tool'], ['tool', '0.9', 'all']]);
    const vendor = await serveStatic(join(vdir, 'repo'));
    onCleanup(() => vendor.close());
    const rel = join(dir, 'release-also');
    await mkdir(rel, { recursive: true });
    await copyFile(join(dir, 'release/upstream.asc'), join(rel, 'upstream.asc'));
    await writeFile(join(rel, 'vendor.asc'), vendorKey.publicKey.armor());
    const yaml = (keyring: string, pin = '') => `version: 1.0.0\napt:\n  - { name: deb, url: "${upstream}", suites: [stable], packages: [vendorapp], keyring: upstream.asc, as: { repository: debian, suite: bookworm },\n      also: [{ url: "${vendor.url}", suites: [stable], keyring: ${keyring}, as: { repository: vendor, suite: stable }${pin} }] }\n`;
    // at equal priority (apt's default 500) the highest version wins: the distribution's tool 1.0
    await writeFile(join(rel, 'factory.yaml'), yaml('vendor.asc'));
    const equal = await airgap(['lock', rel, '--results', results()]);
    expect(equal.code, equal.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(rel, 'factory.lock.json'), 'utf8')).artifacts.map((a: any) => a.id).sort()).toEqual([
      'apt:debian/bookworm:libfoo_2.0_amd64', 'apt:debian/bookworm:tool_1.0_all', 'apt:vendor/stable:vendorapp_2.0_amd64',
    ]);
    await writeFile(join(rel, 'factory.yaml'), yaml('vendor.asc', ', pinPriority: 600'));
    const r = await airgap(['lock', rel, '--results', results()]);
    expect(r.code, r.stderr).toBe(0);
    const l = JSON.parse(await readFile(join(rel, 'factory.lock.json'), 'utf8'));
    expect(l.artifacts.map((a: any) => `${a.id} ${new URL(a.url).port}`).sort()).toEqual([
      `apt:debian/bookworm:libfoo_2.0_amd64 ${new URL(upstream).port}`,
      `apt:vendor/stable:tool_0.9_all ${new URL(vendor.url).port}`,
      `apt:vendor/stable:vendorapp_2.0_amd64 ${new URL(vendor.url).port}`,
    ]);
    // the vendor's InRelease is checked against the vendor's keyring, not the distribution's
    await writeFile(join(rel, 'factory.yaml'), yaml('upstream.asc'));
    const bad = await airgap(['lock', rel, '--results', results()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${vendor.url}/dists/stable/InRelease`);
  });

  it('pins: name=version holds for the whole closure; a pin nothing satisfies is refused, naming it', async () => {
    const rel = join(dir, 'release-pins');
    await mkdir(rel, { recursive: true });
    await copyFile(join(dir, 'release/upstream.asc'), join(rel, 'upstream.asc'));
    await writeFile(join(rel, 'factory.yaml'), `version: 1.0.0\napt:\n  - { name: deb, url: "${upstream}", suites: [stable], packages: [app, "libfoo=1.0"], keyring: upstream.asc }\n`);
    const r = await airgap(['lock', rel, '--results', results()]);
    expect(r.code, r.stderr).toBe(0);
    const l = JSON.parse(await readFile(join(rel, 'factory.lock.json'), 'utf8'));
    expect(l.artifacts.map((a: any) => `${a.name}=${a.version}`).sort()).toEqual(['app=1.0', 'libbar=1.0', 'libfoo=1.0', 'tool=1.0']);
    await writeFile(join(rel, 'factory.yaml'), `version: 1.0.0\napt:\n  - { name: deb, url: "${upstream}", suites: [stable], packages: ["libfoo (>> 2.0)"], keyring: upstream.asc }\n`);
    const bad = await airgap(['lock', rel, '--results', results()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot satisfy "libfoo \(>> 2\.0\)" for amd64/);
  });

  it('apt-get, with an empty dpkg status, downloads the whole closure from the served repository, signed-by the factory key', async () => {
    const c = join(dir, 'client');
    for (const d of ['etc/apt/sources.list.d', 'etc/apt/preferences.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg', 'keys']) await mkdir(join(c, d), { recursive: true });
    await writeFile(join(c, 'var/lib/dpkg/status'), '');
    const key = Buffer.from(await (await fetch(`${served.url}/repository/debian/repository-key.gpg`)).arrayBuffer());
    await writeFile(join(c, 'keys/factory.gpg'), key);
    await writeFile(join(c, 'etc/apt/sources.list.d/factory.sources'), `Types: deb\nURIs: ${served.url}/repository/debian\nSuites: bookworm\nComponents: main\nSigned-By: ${join(c, 'keys/factory.gpg')}\n`);
    await writeFile(join(c, 'etc/apt/sources.list'), '');
    await writeFile(join(c, 'apt.conf'), [`Dir "${c}/";`, `Dir::State::status "${c}/var/lib/dpkg/status";`, 'APT::Architecture "amd64";', 'APT::Sandbox::User "root";', 'Acquire::Languages "none";', ''].join('\n'));
    const env = { ...process.env, APT_CONFIG: join(c, 'apt.conf') };
    const update = await run('apt-get', ['update'], { env });
    expect(update.stdout + update.stderr).not.toMatch(/NO_PUBKEY|not signed|Err:/);
    await run('apt-get', ['install', '--download-only', '-y', '--no-install-recommends', 'app'], { env });
    expect((await readdir(join(c, 'var/cache/apt/archives'))).filter((f) => f.endsWith('.deb')).sort()).toEqual(['app_1.0_amd64.deb', 'libfoo_2.0_amd64.deb', 'tool_1.0_all.deb']);
    expect((await fetch(`${served.url}/repository/debian/.packages/`)).status).toBe(404);
  });

  describe('refusals, each naming the file', () => {
    const relock = async (name: string, keyring: string) => {
      const rel = join(dir, `refuse-${name}`);
      await mkdir(rel, { recursive: true });
      await copyFile(keyring, join(rel, 'k.asc'));
      await writeFile(join(rel, 'factory.yaml'), `version: 1.0.0\napt:\n  - { name: deb, url: "${upstream}", suites: [stable], packages: [app], keyring: k.asc }\n`);
      return { rel, r: await airgap(['lock', rel, '--results', results()]) };
    };

    it('an InRelease signed by a key the keyring does not hold', async () => {
      const other = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'someone else' }], format: 'object' });
      await writeFile(join(dir, 'other.asc'), other.publicKey.armor());
      const { r } = await relock('wrongkey', join(dir, 'other.asc'));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/dists\/stable\/InRelease: signature not valid for the given keyring/);
    });

    it('a .deb that does not match Packages is refused at mirror', async () => {
      const { rel, r } = await relock('deb', join(dir, 'release/upstream.asc'));
      expect(r.code, r.stderr).toBe(0);
      await copyFile(join(dir, 'repo/pool/main/libfoo/libfoo_1.0_amd64.deb'), join(dir, 'repo/pool/main/libfoo/libfoo_2.0_amd64.deb'));
      const m = await airgap(['mirror', rel, '--store', join(dir, 'store-bad'), '--results', results()]);
      expect(m.code).toBe(1);
      expect(m.stderr).toMatch(/libfoo_2\.0_amd64 \(http:\/\/127\.0\.0\.1:\d+\/pool\/main\/libfoo\/libfoo_2\.0_amd64\.deb\): expected sha256:/);
    });

    it('a Packages file that does not match Release', async () => {
      const gz = join(dir, 'repo/dists/stable/main/binary-amd64/Packages.gz');
      await writeFile(gz, gzipSync('Package: evil\nVersion: 1\n'));
      const { r } = await relock('packages', join(dir, 'release/upstream.asc'));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/dists\/stable\/main\/binary-amd64\/Packages\.gz: does not match Release/);
    });
  });
});
