import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { buildDeb, indexAndSign } from './helpers/apt-upstream.ts';
import { serveStatic } from './helpers/static-server.ts';
import { isolatedApt } from './helpers/apt-client.ts';

/**
 * adr/0021: the lock takes apt's candidate. One generated archive on loopback with three suites
 * as Debian has them: the release (`stable`, point-release updates included), its security
 * archive (`stable-security`: some versions older than the release's, some newer) and backports
 * (`NotAutomatic: yes`, `ButAutomaticUpgrades: yes`, which apt gives priority 100). Every lock is
 * held to what a real apt, pointed at the same archive, chooses.
 */
const SUITES: Record<string, [string, string, string?][]> = {
  stable: [
    ['libc6', '2.36-9+deb12u14'], ['sudo', '1.9.13p3-1+deb12u1'], ['libcurl4', '7.88.1-10+deb12u12'],
    ['curl', '7.88.1-10+deb12u12', 'libcurl4 (= 7.88.1-10+deb12u12)'], ['epochy', '1:1.0-1'], ['tildy', '1.0~rc1-1'],
    ['app', '1.0', 'libc6 (>= 2.36), sudo, curl, epochy, tildy'], ['needsnew', '1.0', 'libc6 (>= 2.40)'],
  ],
  'stable-security': [
    ['libc6', '2.36-9+deb12u7'], ['sudo', '1.9.13p3-1+deb12u2'], ['libcurl4', '7.88.1-10+deb12u8'],
    ['curl', '7.88.1-10+deb12u8', 'libcurl4 (= 7.88.1-10+deb12u8)'], ['epochy', '2.0-1'], ['tildy', '1.0-1'],
  ],
  'stable-backports': [['libc6', '2.40-1~bpo12+1'], ['bponly', '1.0']],
};

describe('apt: the lock takes apt\'s candidate (adr/0021), checked against apt-cache policy on the same archive', () => {
  let dir: string;
  let url: string;
  let n = 0;

  beforeAll(async () => {
    dir = await workspace('airgap-apt-candidate-');
    // EdDSA legacy: what bookworm's gpgv verifies (battle log 2026-11-22-openpgp-js-ed25519-errsig)
    const key = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'upstream' }], format: 'object' });
    const repo = join(dir, 'repo');
    for (const [suite, debs] of Object.entries(SUITES)) {
      for (const [name, version, depends] of debs) await buildDeb(dir, join(repo, 'pool', suite), name, version, 'amd64', depends);
      await indexAndSign(repo, suite, key.privateKey, undefined, { pool: `pool/${suite}`, release: suite.endsWith('backports') ? { NotAutomatic: 'yes', ButAutomaticUpgrades: 'yes' } : {} });
    }
    await mkdir(join(dir, 'keys'), { recursive: true });
    await writeFile(join(dir, 'keys/upstream.asc'), key.publicKey.armor());
    const server = await serveStatic(repo);
    onCleanup(() => server.close());
    url = server.url;
  });

  /** `airgap lock` of one apt entry (YAML flow mapping fields); the lock's name → version, or the failure */
  async function lock(fields: string): Promise<{ code: number | null; stderr: string; versions: Record<string, string> }> {
    const rel = join(dir, `release-${n++}`);
    await mkdir(rel, { recursive: true });
    await writeFile(join(rel, 'upstream.asc'), await readFile(join(dir, 'keys/upstream.asc')));
    await writeFile(join(rel, 'factory.yaml'), `version: 1.0.0\napt:\n  - { name: deb, url: "${url}", keyring: upstream.asc, ${fields} }\n`);
    const r = await airgap(['lock', rel, '--results', join(dir, 'results')]);
    if (r.code !== 0) return { code: r.code, stderr: r.stderr, versions: {} };
    const l = JSON.parse(await readFile(join(rel, 'factory.lock.json'), 'utf8'));
    return { code: r.code, stderr: r.stderr, versions: Object.fromEntries(l.artifacts.map((a: any) => [a.name, a.version])) };
  }

  const apt = (preferences = '') => isolatedApt(join(dir, `apt-${n++}`), Object.keys(SUITES).map((s) => `deb [signed-by=${join(dir, 'keys/upstream.asc')}] ${url} ${s} main`), preferences);

  it('the highest version at equal priority, in either suite order; backports (NotAutomatic) only for what nothing else has', async () => {
    const want = {
      app: '1.0', bponly: '1.0', curl: '7.88.1-10+deb12u12', epochy: '1:1.0-1', libc6: '2.36-9+deb12u14', libcurl4: '7.88.1-10+deb12u12',
      sudo: '1.9.13p3-1+deb12u2', tildy: '1.0-1',
    };
    const security = await lock('suites: [stable-security, stable, stable-backports], packages: [app, bponly]');
    expect(security.code, security.stderr).toBe(0);
    expect(security.versions).toEqual(want);
    const release = await lock('suites: [stable-backports, stable, stable-security], packages: [app, bponly]');
    expect(release.versions).toEqual(want);
    // a real apt, nothing installed, the same three suites
    expect(await (await apt()).candidates(Object.keys(want))).toEqual(want);
  });

  it('a pin name=version takes the older one, as apt-get install name=version does', async () => {
    const pinned = await lock('suites: [stable, stable-security], packages: [app, "libc6=2.36-9+deb12u7"]');
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.versions.libc6).toBe('2.36-9+deb12u7');
    const sim = await (await apt()).simulate(['app', 'libc6=2.36-9+deb12u7']);
    expect(sim.ok, sim.output).toBe(true);
    expect(pinned.versions).toEqual(sim.installs);
  });

  it('a source\'s pinPriority wins over version, as apt_preferences Pin-Priority does', async () => {
    const preferred = await lock(`suites: [stable], packages: [app], also: [{ url: "${url}", suites: [stable-security], keyring: upstream.asc, as: { repository: debian, suite: stable }, pinPriority: 600 }]`);
    expect(preferred.code, preferred.stderr).toBe(0);
    expect(preferred.versions).toEqual({ app: '1.0', curl: '7.88.1-10+deb12u8', epochy: '2.0-1', libc6: '2.36-9+deb12u7', libcurl4: '7.88.1-10+deb12u8', sudo: '1.9.13p3-1+deb12u2', tildy: '1.0-1' });
    const pinnedApt = await apt('Package: *\nPin: release a=stable-security\nPin-Priority: 600\n');
    expect(await pinnedApt.candidates(Object.keys(preferred.versions))).toEqual(preferred.versions);
    // and the backports' own default (100) is replaced by a declared one
    const bpo = await lock('suites: [stable-backports], pinPriority: 500, packages: [libc6]');
    expect(bpo.versions).toEqual({ libc6: '2.40-1~bpo12+1' });
  });

  it('a versioned dependency the candidate does not satisfy fails like apt, naming the package, the constraint and who needs it', async () => {
    const r = await lock('suites: [stable, stable-security, stable-backports], packages: [needsnew]');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needsnew 1.0: cannot satisfy "libc6 (>= 2.40)" for amd64: the candidate of libc6 is 2.36-9+deb12u14');
    expect(r.stderr).toContain('2.40-1~bpo12+1');
    const sim = await (await apt()).simulate(['needsnew']);
    expect(sim.ok).toBe(false);
    expect(sim.output).toMatch(/needsnew : Depends: libc6 \(>= 2\.40\) but 2\.36-9\+deb12u14 is to be installed/);
    // pinning the version that fits is what the hint says, and it works
    expect((await lock('suites: [stable, stable-security, stable-backports], packages: [needsnew, "libc6=2.40-1~bpo12+1"]')).versions).toEqual({ libc6: '2.40-1~bpo12+1', needsnew: '1.0' });
  });
});
