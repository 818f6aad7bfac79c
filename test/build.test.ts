import { describe, it, expect, beforeAll } from 'vitest';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { minbaseRelease } from './helpers/minbase-release.ts';
import { dockerEngine } from './helpers/dockerd.ts';
import { startServer, type RunningServer } from '../src/serve/server.ts';
import { run } from '../src/host/exec.ts';
import { ENGINE } from '../src/build/kolla.ts';
import { RegistryClient } from '../src/oci/client.ts';

const BIN = join(import.meta.dirname, '../bin/airgap.js');

/**
 * Issue 7's acceptance: builds in the sandbox from the served repository, with proof of no
 * egress. Builds from the bundle directory, as Env B does: its lock carries the build section.
 */
describe('build: the sandbox, and a Debian base image from the served apt repository', () => {
  let dir: string;
  let bundle: string;
  let served: RunningServer;
  let registry: string;
  const results = () => join(dir, 'results');
  const evidence = async (step: string) => JSON.parse(await readFile(join(results(), '1.0.0', `${step}.json`), 'utf8'));
  const build = (args: string[]) => airgap(['build', '--server', served.url, '--results', results(), '--json', ...args]);

  beforeAll(async () => {
    dir = await workspace('airgap-build-');
    ({ bundle } = await minbaseRelease(dir, [
      'build:',
      '  rootfs: { suite: bookworm, variant: minbase, packages: [hello] }',
      '  base-image: { name: "debian:bookworm", cmd: [bash] }',
    ]));
    served = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 });
    onCleanup(() => served.close());
    registry = new URL(served.url).host;
  }, 300_000);

  let digest: string;
  it('base-image: mmdebstrap in the sandbox, pushed to the served registry; skopeo inspect shows it; no attempt to leave', async () => {
    const r = await build(['base-image', bundle, '--out', join(dir, 'out-1')]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout);
    const image = out.outputs.find((o: any) => o.name === 'image');
    expect(image.ref).toBe(`${registry}/debian:bookworm`);
    digest = image.digest;
    const inspect = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry}/debian:bookworm`])).stdout);
    expect(inspect.Digest).toBe(digest);
    expect(inspect.Architecture).toBe('amd64');
    expect(inspect.Layers).toHaveLength(1);
    const b = await evidence('build');
    const entry = b.builds.at(-1);
    expect(entry).toMatchObject({ builder: 'base-image', ok: true, egressAttempts: 0 });
    expect(entry.inputs.map((i: any) => i.name)).toEqual(['factory.lock.json', 'debian/repository-key.gpg', 'debian/dists/bookworm/InRelease']);
    expect(entry.outputs.map((o: any) => o.name)).toEqual(['rootfs.tar', 'image']);
    expect(entry.log.sha256).toMatch(/^[0-9a-f]{64}$/);
    const a = await evidence('airgap');
    expect(a.attempts).toBe(0);
    expect(a.runs.at(-1)).toMatchObject({ builder: 'base-image', label: 'mmdebstrap', attempts: 0, dns: [], connections: [], filterRead: true });
  }, 600_000);

  it('building again from the same lock gives the same digest', async () => {
    const r = await build(['base-image', bundle, '--out', join(dir, 'out-2')]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outputs.find((o: any) => o.name === 'image').digest).toBe(digest);
    const [first, second] = (await evidence('build')).builds.slice(-2);
    expect(second.outputs[0].digest).toBe(first.outputs[0].digest); // the rootfs tar, byte for byte
  }, 600_000);

  it('a builder that tries an outside address (TCP, UDP) and a DNS lookup fails, and airgap.json lists each', async () => {
    const script = 'curl -sS -m 5 http://192.0.2.10/ ; getent hosts updates.example.org ; echo ntp > /dev/udp/192.0.2.20/123 ; true';
    const r = await build(['command', bundle, '--', 'bash', '-c', script]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/attempt\(s\) to reach beyond the repository server: DNS updates\.example\.org \(A\).*tcp 192\.0\.2\.10:80/);
    const run1 = (await evidence('airgap')).runs.at(-1);
    expect(run1.connections).toEqual([{ proto: 'tcp', address: '192.0.2.10', port: 80 }, { proto: 'udp', address: '192.0.2.20', port: 123 }]);
    expect(run1.dns.map((d: any) => d.name)).toContain('updates.example.org');
    expect(run1.attempts).toBe(3);
    expect((await evidence('build')).builds.at(-1)).toMatchObject({ builder: 'command', ok: false, egressAttempts: 3, allowEgressAttempts: false });

    const allowed = await build(['command', bundle, '--allow-egress-attempts', '--', 'bash', '-c', script]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect((await evidence('airgap')).runs.at(-1)).toMatchObject({ attempts: 3, allowEgressAttempts: true });
  });

  it('a builder that uses only the server passes with zero attempts', async () => {
    const r = await build(['command', bundle, '--', 'curl', '-sSf', '-o', '/dev/null', `${served.url}/repository/debian/dists/bookworm/InRelease`]);
    expect(r.code, r.stderr).toBe(0);
    expect((await evidence('airgap')).runs.at(-1)).toMatchObject({ attempts: 0, exitCode: 0 });
  });

  it('the sandbox holds for a user without root too (a user namespace), and records what it refused', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip('switching to an unprivileged user needs root');
    const reach = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'test', '-r', BIN, '-a', '-x', process.execPath]).then(() => true, () => false);
    if (!reach) return ctx.skip(`user 65534 cannot read ${BIN} or run ${process.execPath} (a checkout under a private directory)`);
    const home = await mkdtemp(join(tmpdir(), 'airgap-nobody-'));
    onCleanup(() => rm(home, { recursive: true, force: true }));
    await mkdir(join(home, 'rel'));
    await copyFile(join(bundle, 'factory.lock.json'), join(home, 'rel/factory.lock.json'));
    await run('chown', ['-R', '65534:65534', home]);
    const script = `curl -sSf -o /dev/null ${served.url}/repository/debian/dists/bookworm/InRelease && curl -sS -m 5 http://192.0.2.10/ ; true`;
    const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, BIN, 'build', '--server', served.url,
      '--results', join(home, 'results'), '--json', 'command', join(home, 'rel'), '--', 'bash', '-c', script], { cwd: home, env: { PATH: process.env.PATH, HOME: home } }).catch((e: Error) => e);
    expect(r).toBeInstanceOf(Error); // exit 1: the attempt fails the build
    const last = JSON.parse(await readFile(join(home, 'results/1.0.0/airgap.json'), 'utf8')).runs.at(-1);
    expect(last.sandbox.user).toBe('user namespace');
    expect(last.connections).toEqual([{ proto: 'tcp', address: '192.0.2.10', port: 80 }]);
    expect(last.exitCode).toBe(0); // the server itself was reached
  });

  it('preflight: ready, with egress from the sandbox tried and refused; a server that is down fails with what to do', async () => {
    const r = await airgap(['preflight', bundle, '--server', served.url, '--store', join(dir, 'store'), '--min-free', '1M', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const checks = JSON.parse(r.stdout).checks;
    expect(checks.find((c: any) => c.name === 'egress blocked from the sandbox')).toMatchObject({ ok: true, detail: 'http://1.1.1.1/ and example.org refused, both recorded' });
    expect(checks.find((c: any) => c.name === 'sandbox reaches the repository server').ok).toBe(true);
    const down = await airgap(['preflight', '--server', 'http://127.0.0.1:9', '--store', join(dir, 'store'), '--min-free', '1M']);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/FAIL  repository server reachable: http:\/\/127\.0\.0\.1:9\n\s+→ start it: airgap serve --root <repository> --listen 127\.0\.0\.1:9/);
  });

  it('a Docker engine of the build\'s own in the sandbox (as airgap build kolla runs): its build containers reach the server and nothing else', async () => {
    expect(digest, 'the base image was built').toBeDefined();
    const ctxDir = join(dir, 'engine-probe');
    await mkdir(ctxDir, { recursive: true });
    // apt from the served repository (the image's own sources.list), then an attempt to leave from inside a build container
    await writeFile(join(ctxDir, 'Dockerfile'), `FROM ${registry}/debian:bookworm\nRUN apt-get update\nRUN bash -c 'echo > /dev/tcp/192.0.2.1/80' || echo refused\n`);
    const config = join(ctxDir, 'engine.json');
    await writeFile(config, JSON.stringify({ dataRoot: join(dir, 'engine-data'), execRoot: `/run/airgap-test-${process.pid}`, dockerdLog: join(ctxDir, 'dockerd.log'), command: ['bash', '-c', `docker build --network host -t ${registry}/probe/engine:1 ${ctxDir} && docker push ${registry}/probe/engine:1`], env: {} }));
    const r = await build(['command', bundle, '--out', join(dir, 'out-engine'), '--allow-egress-attempts', '--', process.execPath, ENGINE, config]);
    await rm(join(dir, 'engine-data'), { recursive: true, force: true });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const entry = (await evidence('build')).builds.at(-1);
    const log = await readFile(join(results(), '1.0.0', entry.log.file), 'utf8');
    expect(log).toContain(`Get:1 ${served.url}/repository/debian bookworm InRelease`);
    const run = (await evidence('airgap')).runs.at(-1);
    expect(run.connections).toEqual([{ proto: 'tcp', address: '192.0.2.1', port: 80 }]);
    expect(entry.egressAttempts).toBeGreaterThan(0);
    // the engine pushed with no credentials in the sandbox: its bridge reaches the server's push socket (ADR-0020)
    expect(run.allowed).toMatchObject([{ endpoint: served.push!.socket, via: 'unix socket bridge to the server\'s push socket' }]);
    expect(await new RegistryClient(registry).hasManifest('probe/engine', '1')).toMatch(/^sha256:/);
  }, 600_000);

  it('docker run of the pulled base image prints the Debian version', async (ctx) => {
    expect(digest, 'the base image was built').toBeDefined();
    const engine = await dockerEngine(join(dir, 'dockerd'));
    if ('skip' in engine) return ctx.skip(engine.skip);
    try {
      const env = { ...process.env, ...engine.env };
      const pulled = (await run('docker', ['pull', `${registry}/debian:bookworm`], { env })).stdout;
      expect(pulled).toContain(`Digest: ${digest}`);
      const out = (await run('docker', ['run', '--rm', '--network', 'none', `${registry}/debian:bookworm`, 'cat', '/etc/debian_version'], { env })).stdout;
      expect(out.trim()).toMatch(/^12\.\d+$/);
      // docker push: refused without credentials, accepted with the push directory as DOCKER_CONFIG
      const tagged = `${registry}/pushed/by-docker:1`;
      await run('docker', ['tag', `${registry}/debian:bookworm`, tagged], { env });
      const anon = await run('docker', ['push', tagged], { env: { ...env, DOCKER_CONFIG: join(dir, 'no-docker-config') } }).catch((e: Error) => e);
      expect(String(anon)).toMatch(/unauthorized|authentication required|no basic auth credentials/i);
      await run('docker', ['push', tagged], { env: { ...env, DOCKER_CONFIG: served.push!.dir } });
      expect(await new RegistryClient(registry).hasManifest('pushed/by-docker', '1')).toMatch(/^sha256:/);
    } finally {
      await engine.stop();
    }
  }, 300_000);
});
