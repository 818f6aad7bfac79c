import { describe, it, expect, beforeAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { minbaseRelease } from './helpers/minbase-release.ts';
import { startServer, type RunningServer } from '../src/serve/server.ts';
import { run } from '../src/host/exec.ts';

const FIXTURE_ELEMENTS = join(import.meta.dirname, 'fixtures/dib-elements');

/**
 * Issue 8: a Debian cloud image from the served apt repository, built in the sandbox from
 * elements in diskimage-builder's layout (the built-in ones and a fixture written for DIB),
 * loopless, booted under QEMU TCG to cloud-init's marker.
 */
describe('disk-image: elements in DIB order, a loopless qcow2, a boot test', () => {
  let dir: string;
  let served: RunningServer;
  let out: any;
  let log: string;
  let r: Awaited<ReturnType<typeof airgap>>;

  beforeAll(async () => {
    dir = await workspace('airgap-disk-');
    const { bundle } = await minbaseRelease(dir, [
      'build:',
      '  rootfs: { suite: bookworm, variant: minbase }',
      `  disk-image: { name: debian-12, elements: [vm, hello-dib, cleanup], elementsPath: ["${FIXTURE_ELEMENTS}"], size: 2G }`,
    ], 'vm');
    served = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 });
    onCleanup(() => served.close());
    r = await airgap(['build', '--server', served.url, '--results', join(dir, 'results'), '--json', '--out', join(dir, 'out'), 'disk-image', bundle]);
    out = JSON.parse(r.stdout || '{}');
    log = await readFile(join(dir, 'results/1.0.0', out.log?.file ?? 'missing'), 'utf8').catch(() => '');
  }, 900_000);

  it('builds, in the sandbox, with no attempt to leave: a qcow2, its kernel and initrd, by sha256', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(out.egressAttempts).toBe(0);
    expect(out.outputs.map((o: any) => o.name)).toEqual(['debian-12.qcow2', 'debian-12.vmlinuz', 'debian-12.initrd', 'boot test serial log']);
    for (const o of out.outputs) expect(o.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.inputs.map((i: any) => i.name)).toEqual(expect.arrayContaining(['element vm', 'element cloud-init', 'element hello-dib', 'element cleanup']));
  });

  it('boots under QEMU (TCG) to cloud-init\'s marker within 3 minutes', () => {
    expect(out.bootTest?.markerSeen, r.stderr).toBe(true);
    expect(out.bootTest.bootSeconds).toBeLessThan(180);
  });

  it('an element written for diskimage-builder runs its phases in DIB order, shown by the build log', async () => {
    const phases = [...log.matchAll(/^airgap-elements: phase (\S+): (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    const order = ['pre-install.d hello-dib/10-order', 'install.d package-installs', 'install.d hello-dib/50-hello', 'post-install.d cloud-init/50-datasources', 'post-install.d hello-dib/90-order', 'finalise.d vm/50-bootloader', 'cleanup.d hello-dib/10-order', 'cleanup.d cleanup/90-cleanup'];
    const at = order.map((o) => phases.findIndex((p) => p.startsWith(o)));
    expect(at, phases.join('\n')).not.toContain(-1);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // and inside the image, read out of the qcow2 without booting it
    const raw = join(dir, 'read.raw');
    await run('qemu-img', ['convert', '-O', 'raw', join(dir, 'out/debian-12.qcow2'), raw]);
    const order2 = (await run('debugfs', ['-R', 'cat /var/lib/hello-dib-order', `${raw}?offset=1048576`])).stdout;
    expect(order2.trim().split('\n')).toEqual(['pre-install.d', 'install.d /usr/bin/hello from environment.d', 'post-install.d', 'cleanup.d (outside, TARGET_ROOT)']);
  });
});
