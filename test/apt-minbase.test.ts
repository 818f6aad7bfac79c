import { describe, it, expect, beforeAll } from 'vitest';
import { copyFile, readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { workspace } from './helpers/workspace.ts';
import { minbaseRelease } from './helpers/minbase-release.ts';
import { run } from '../src/host/exec.ts';
import { minbasePins } from './setup/minbase-debs.ts';

const BIN = join(import.meta.dirname, '../bin/airgap.js');

/**
 * Issue 6's acceptance: real Debian packages (test/setup/minbase-debs.ts downloads them once),
 * an upstream signed with a throwaway key on loopback, then lock → mirror → bundle → verify →
 * import, and mmdebstrap --variant=minbase from the served repository inside a network namespace
 * that holds only loopback and the server.
 */
describe('apt: a minbase system bootstrapped from the served repository, with no network but the server', () => {
  let dir: string;
  let lock: any;
  let out: string;

  beforeAll(async () => {
    dir = await workspace('airgap-minbase-');
    const { release } = await minbaseRelease(dir);
    lock = JSON.parse(await readFile(join(release, 'factory.lock.json'), 'utf8'));
    const key = join(dir, 'factory-key.gpg');
    await copyFile(join(dir, 'repo/debian/repository-key.gpg'), key); // what apt fetches from /repository/debian/
    // the server and mmdebstrap share a namespace of their own: loopback, nothing else
    // (sync is fine: nothing this process serves is needed in there)
    const r = spawnSync('unshare', ['--net', '--mount', '--', join(import.meta.dirname, 'fixtures/minbase-in-netns.sh'),
      process.execPath, BIN, join(dir, 'repo'), key, join(dir, 'rootfs'), 'bookworm', 'hello'], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
    out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, `the namespace run failed (${r.signal ?? r.status}):\n${out.split('\n').slice(-40).join('\n')}`).toBe(0);
  }, 900_000);

  it('the lock holds the whole closure apt computed, each .deb pinned by sha256 and pool path', () => {
    const locked = lock.artifacts.map((a: any) => `${a.name}=${a.version}`).sort();
    expect(locked).toEqual(minbasePins().sort());
    for (const a of lock.artifacts) expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the namespace had loopback only: no route out, an outside address unreachable', () => {
    expect(out).toMatch(/^links: lo $/m);
    expect(out).toMatch(/^routes: 0 \(v4\), 0 \(v6, besides loopback\)$/m);
    expect(out).toMatch(/^outside: unreachable$/m);
    expect(out).toMatch(/^mmdebstrap: done$/m);
  });

  it('mmdebstrap --variant=minbase made a system, and its own apt-get installed a locked package from the server', async () => {
    const status = await readFile(join(dir, 'rootfs/var/lib/dpkg/status'), 'utf8');
    expect(status).toMatch(/^Package: hello\nStatus: install ok installed$/m);
    expect(status).toMatch(/^Package: apt\nStatus: install ok installed$/m);
    expect((await run('chroot', [join(dir, 'rootfs'), '/usr/bin/hello'])).stdout).toBe('Hello, world!\n');
    const sources = await readFile(join(dir, 'rootfs/etc/apt/sources.list'), 'utf8');
    expect(sources).toMatch(/^deb \[signed-by=\/etc\/apt\/keyrings\/airgap-factory\.gpg\] http:\/\/127\.0\.0\.1:8081\/repository\/debian bookworm main$/m);
  });
});
