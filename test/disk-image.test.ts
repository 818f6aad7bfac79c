import { describe, it, expect, beforeAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { minbaseRelease } from './helpers/minbase-release.ts';
import { startServer, type RunningServer } from '../src/serve/server.ts';
import { run } from '../src/host/exec.ts';
import { startGlance } from './helpers/glance.ts';
import { Store } from '../src/store/store.ts';
import { writeImage } from '../src/oci/image.ts';
import { pushImage } from '../src/oci/push.ts';
import { RegistryClient } from '../src/oci/client.ts';

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
  let pause: { digest: string };

  beforeAll(async () => {
    dir = await workspace('airgap-disk-');
    const { bundle } = await minbaseRelease(dir, [
      'build:',
      '  rootfs: { suite: bookworm, variant: minbase }',
      `  disk-image: { name: from-the-lock, elements: [vm, hello-dib, docker-ce, kubernetes, cleanup], elementsPath: ["${FIXTURE_ELEMENTS}"], size: 2G,`,
      '                environment: { DOCKER_CE_PACKAGES_FROM: none, KUBERNETES_PACKAGES_FROM: none },',
      '                images: [{ from: "k8s/pause:3.9", as: "registry.k8s.io/pause:3.9" }] }',
    ], 'vm');
    served = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 });
    onCleanup(() => served.close());
    // an image the release carries, in the served registry, for the kubernetes element to pre-load
    const store = new Store(join(dir, 'img-store'));
    pause = await writeImage(store, { files: { pause: '#!/bin/sh\nsleep infinity\n' }, architecture: 'amd64', created: '2026-01-01T00:00:00Z', cmd: ['/pause'] });
    // pushed as a build would, with the server's push token (ADR-0020: anonymous clients only read)
    await pushImage(new RegistryClient(new URL(served.url).host, { credentials: { username: 'airgap', password: served.push!.token } }), 'k8s/pause', '3.9', store, pause.digest);
    r = await airgap(['build', '--server', served.url, '--results', join(dir, 'results'), '--json', '--out', join(dir, 'out'), '-o', 'debian-12', 'disk-image', bundle]);
    out = JSON.parse(r.stdout || '{}');
    log = await readFile(join(dir, 'results/1.0.0', out.log?.file ?? 'missing'), 'utf8').catch(() => '');
  }, 900_000);

  it('builds, in the sandbox, with no attempt to leave: a qcow2, its kernel and initrd, by sha256', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(out.egressAttempts).toBe(0);
    expect(out.outputs.map((o: any) => o.name)).toEqual(['debian-12.qcow2', 'debian-12.vmlinuz', 'debian-12.initrd', 'boot test serial log']);
    for (const o of out.outputs) expect(o.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.inputs.map((i: any) => i.name)).toEqual(expect.arrayContaining(['element vm', 'element cloud-init', 'element hello-dib', 'element docker-ce', 'element kubernetes', 'element cleanup']));
  });

  it('boots under QEMU (TCG) to cloud-init\'s marker within 3 minutes', () => {
    expect(out.bootTest?.markerSeen, r.stderr).toBe(true);
    expect(out.bootTest.bootSeconds).toBeLessThan(180);
  });

  it('is uploaded to a real Glance with its properties; what Glance reads back matches', async () => {
    const glance = await startGlance(dir);
    const p = await airgap(['publish', 'glance', join(dir, 'out/debian-12.qcow2'), '--name', 'debian-12', '--os-version', '12', '--marketplace-category', 'os',
      '--property', 'hw_qemu_guest_agent=no', '--version', '1.0.0', '--results', join(dir, 'results'), '--json'],
    { env: { OS_AUTH_TYPE: 'none', OS_ENDPOINT: glance.url } });
    expect(p.code, p.stderr).toBe(0);
    const img = JSON.parse(p.stdout);
    expect(img.sha256).toBe(out.outputs[0].digest.replace('sha256:', ''));
    // read back independently of the publisher
    const got = await (await fetch(`${glance.url}/v2/images/${img.id}`)).json();
    expect(got).toMatchObject({ name: 'debian-12', status: 'active', disk_format: 'qcow2', container_format: 'bare', os_hash_algo: 'sha512',
      hw_disk_bus: 'virtio', hw_vif_model: 'virtio', os_type: 'linux', os_distro: 'debian', os_version: '12', marketplace_category: 'os', hw_qemu_guest_agent: 'no' });
    const bytes = Buffer.from(await (await fetch(`${glance.url}/v2/images/${img.id}/file`)).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(img.sha256);
    expect(createHash('sha512').update(bytes).digest('hex')).toBe(got.os_hash_value);
    const ev = JSON.parse(await readFile(join(dir, 'results/1.0.0/publish.json'), 'utf8'));
    expect(ev.images.at(-1)).toMatchObject({ target: 'glance', id: img.id, sha256: img.sha256, auth: 'no authentication (OS_AUTH_TYPE=none)' });
  });

  it('publish without credentials says which variables are missing', async () => {
    const p = await airgap(['publish', 'glance', join(dir, 'out/debian-12.qcow2'), '--name', 'x'], { env: { OS_AUTH_TYPE: '', OS_ENDPOINT: '', OS_AUTH_URL: '', OS_USERNAME: '', OS_PASSWORD: '', OS_PROJECT_NAME: '', OS_PROJECT_ID: '', OS_TOKEN: '' } });
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/no OpenStack credentials: OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME or OS_PROJECT_ID not set/);
  });

  it('an element written for diskimage-builder runs its phases in DIB order, shown by the build log', async () => {
    const phases = [...log.matchAll(/^airgap-elements: phase (\S+): (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    const order = ['pre-install.d hello-dib/10-order', 'install.d package-installs', 'install.d hello-dib/50-hello', 'post-install.d cloud-init/50-datasources', 'post-install.d hello-dib/90-order', 'finalise.d vm/50-bootloader', 'cleanup.d hello-dib/10-order', 'cleanup.d cleanup/90-cleanup'];
    const at = order.map((o) => phases.findIndex((p) => p.startsWith(o)));
    expect(at, phases.join('\n')).not.toContain(-1);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // and inside the image, read out of the qcow2 without booting it
    const order2 = await readFromImage('/var/lib/hello-dib-order');
    expect(order2.trim().split('\n')).toEqual(['pre-install.d', 'install.d /usr/bin/hello from environment.d', 'post-install.d', 'cleanup.d (outside, TARGET_ROOT)']);
  });

  it('the marketplace elements point Docker and containerd at the internal registry (read from the qcow2, not booted)', async () => {
    const registry = new URL(served.url).host;
    expect(JSON.parse(await readFromImage('/etc/docker/daemon.json'))).toMatchObject({ 'registry-mirrors': [`http://${registry}`], 'insecure-registries': [registry] });
    const hosts = await readFromImage('/etc/containerd/certs.d/registry.k8s.io/hosts.toml');
    expect(hosts).toContain('server = "https://registry.k8s.io"');
    expect(hosts).toContain(`[host."http://${registry}"]`);
    expect(await readFromImage('/etc/containerd/config.toml')).toContain('SystemdCgroup = true');
    expect(await readFromImage('/etc/sysctl.d/99-kubernetes.conf')).toContain('net.ipv4.ip_forward = 1');
  });

  it('the release\'s images travel inside the disk image as OCI archives, for containerd to import at first boot', async () => {
    expect(out.inputs).toContainEqual(expect.objectContaining({ name: 'image registry.k8s.io/pause:3.9', digest: pause.digest }));
    await readFromImage('/var/lib/airgap/images/registry.k8s.io_pause_3.9.tar'); // fills `raw`
    const archive = join(dir, 'pause.tar');
    await run('debugfs', ['-R', `dump /var/lib/airgap/images/registry.k8s.io_pause_3.9.tar ${archive}`, `${raw}?offset=1048576`]);
    const index = JSON.parse((await run('tar', ['-xOf', archive, 'index.json'])).stdout);
    expect(index.manifests[0]).toMatchObject({ digest: pause.digest, annotations: { 'io.containerd.image.name': 'registry.k8s.io/pause:3.9' } });
    const listing = (await run('tar', ['-tf', archive])).stdout;
    expect(listing).toContain(`blobs/sha256/${pause.digest.slice(7)}`);
    expect(await readFromImage('/etc/systemd/system/airgap-preload-images.service')).toContain('ctr -n k8s.io images import');
  });

  let raw: string | undefined;
  async function readFromImage(path: string): Promise<string> {
    if (!raw) {
      raw = join(dir, 'read.raw');
      await run('qemu-img', ['convert', '-O', 'raw', join(dir, 'out/debian-12.qcow2'), raw]);
    }
    return (await run('debugfs', ['-R', `cat ${path}`, `${raw}?offset=1048576`])).stdout;
  }
});
