import { describe, it, expect } from 'vitest';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from '../helpers/workspace.ts';
import { isolatedApt } from '../helpers/apt-client.ts';
import { hostCodename, hostSourceFor, type HostSource } from '../../src/apt/host-sources.ts';
import { aptOf } from '../../src/kolla/images.ts';
import { KOLLA_OFFLINE_PACKAGES } from '../../src/generators/kolla.ts';

/**
 * npm run test:live (adr/0021): the lock's versions are apt's candidates on the host's own Debian
 * mirror, with the release, its point-release updates and the security archive (each from the
 * host's apt source that carries it), as a real apt with nothing installed and the same three
 * suites chooses them (`apt-cache policy`).
 */
describe('live: the lock takes apt\'s candidates from the release, -updates and -security', () => {
  async function setUp(packages: string[], extra: string[] = []) {
    const codename = await hostCodename();
    expect(codename, '/etc/os-release names no VERSION_CODENAME: not a Debian host').toBeTruthy();
    const suites = [codename!, `${codename}-updates`, `${codename}-security`];
    const found = await Promise.all(suites.map((s) => hostSourceFor(s)));
    found.forEach((src, i) => expect(src, `the host's apt has no deb source for ${suites[i]} main`).toBeTruthy());
    const dir = await workspace('airgap-live-candidate-');
    const release = join(dir, 'release');
    await mkdir(release, { recursive: true });
    const keyring = (s: HostSource) => s.signedBy ?? '/usr/share/keyrings/debian-archive-keyring.gpg';
    await copyFile(keyring(found[0]!), join(release, 'archive-keyring.gpg'));
    // the release's own URL carries the suites it has; each other URL (the security archive) is an `also` source
    const [main, ...rest] = suites.map((s, i) => ({ suite: s, src: found[i]! }));
    const same = rest.filter((r) => r.src.uri === main.src.uri);
    const other = rest.filter((r) => r.src.uri !== main.src.uri);
    await writeFile(join(release, 'factory.yaml'), [
      'version: live-1', 'apt:', '  - name: debian',
      `    url: "${main.src.uri}"`,
      `    suites: [${[main, ...same].map((r) => r.suite).join(', ')}]`,
      `    packages: [${packages.join(', ')}]`,
      ...extra,
      '    keyring: archive-keyring.gpg',
      `    also: [${other.map((r) => `{ url: "${r.src.uri}", suites: [${r.suite}], keyring: archive-keyring.gpg, as: { repository: debian, suite: ${codename} } }`).join(', ')}]`,
    ].join('\n') + '\n');
    const lock = await airgap(['lock', release, '--results', join(dir, 'results')]);
    expect(lock.code, lock.stderr).toBe(0);
    const locked: Record<string, string> = Object.fromEntries(JSON.parse(await readFile(join(release, 'factory.lock.json'), 'utf8')).artifacts.map((a: any) => [a.name, a.version]));
    const apt = await isolatedApt(join(dir, 'apt'), suites.map((s, i) => `deb [signed-by=${keyring(found[i]!)}] ${found[i]!.uri} ${s} main`));
    return { locked, candidates: await apt.candidates(Object.keys(locked)) };
  }

  it('libc6, sudo, curl and openssl with their closure: every version is apt\'s candidate', async () => {
    const { locked, candidates } = await setUp(['libc6', 'sudo', 'curl', 'openssl']);
    process.stderr.write(`live: ${['libc6', 'sudo', 'curl', 'openssl'].map((n) => `${n} ${locked[n]}`).join(', ')} (${Object.keys(locked).length} packages in the closure)\n`);
    expect(candidates).toEqual(locked);
  }, 900_000);

  it('Kolla\'s base and cron images with minbase (the test set): every version is apt\'s candidate', async () => {
    const names = [...new Set(['apt', ...aptOf('base').packages!, ...aptOf('cron').packages!, ...KOLLA_OFFLINE_PACKAGES])].sort();
    const { locked, candidates } = await setUp(names, ['    priorities: [required]']);
    const differ = Object.keys(locked).filter((n) => candidates[n] !== locked[n]);
    process.stderr.write(`live: Kolla set: ${Object.keys(locked).length} packages, ${differ.length} differ from apt's candidates${differ.length ? `: ${differ.join(', ')}` : ''}\n`);
    expect(candidates).toEqual(locked);
  }, 900_000);
});
