import { describe, it, expect } from 'vitest';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from '../helpers/workspace.ts';
import { hostCodename, hostSourceFor } from '../../src/apt/host-sources.ts';

/**
 * npm run test:live: not in CI (it needs the host's Debian mirror). Locks and mirrors a minbase
 * closure (Priority: required, and apt) for the host's own release from the mirror the host's
 * apt uses, verified with the keyring the host's apt trusts for it.
 */
describe('live: a minbase closure from the host\'s Debian mirror', () => {
  it('locks (InRelease signature, index hashes, closure) and mirrors every .deb by sha256', async () => {
    const codename = await hostCodename();
    expect(codename, '/etc/os-release names no VERSION_CODENAME: not a Debian host').toBeTruthy();
    const src = await hostSourceFor(codename!);
    expect(src, `the host's apt has no deb source for ${codename} main`).toBeTruthy();
    const dir = await workspace('airgap-live-');
    const release = join(dir, 'release');
    await mkdir(release, { recursive: true });
    await copyFile(src!.signedBy ?? '/usr/share/keyrings/debian-archive-keyring.gpg', join(release, 'archive-keyring.gpg'));
    await writeFile(join(release, 'factory.yaml'), [
      'version: live-1', 'apt:',
      '  - name: debian',
      `    url: "${src!.uri}"`,
      `    suites: [${codename}]`,
      '    priorities: [required]',
      '    packages: [apt]',
      '    keyring: archive-keyring.gpg',
    ].join('\n') + '\n');
    const results = join(dir, 'results');
    const lock = await airgap(['lock', release, '--results', results]);
    expect(lock.code, lock.stderr).toBe(0);
    const locked = JSON.parse(await readFile(join(release, 'factory.lock.json'), 'utf8'));
    const names = locked.artifacts.map((a: any) => a.name);
    for (const n of ['apt', 'libc6', 'dpkg', 'base-files', 'bash', 'coreutils']) expect(names).toContain(n);
    expect(names.length).toBeGreaterThan(50);
    const mirror = await airgap(['mirror', release, '--store', join(dir, 'store'), '--results', results, '--json']);
    expect(mirror.code, mirror.stderr).toBe(0);
    const evidence = JSON.parse(await readFile(join(results, 'live-1', 'mirror.json'), 'utf8'));
    expect(JSON.stringify(evidence)).toContain(locked.artifacts[0].sha256);
  }, 900_000);
});
