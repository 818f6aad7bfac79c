import { describe, it, expect } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { carry, debianUpstream } from './helpers/minbase-release.ts';
import { download } from './setup/minbase-debs.ts';
import { startServer } from '../src/serve/server.ts';
import { hasTool } from '../src/host/tools.ts';

/**
 * Kolla itself cannot be installed here (it is not in Debian, and the internet is out of reach),
 * and a fake kolla-build would prove nothing: this runs Kolla's real kolla-build wherever one is
 * on PATH, and says why it is skipped otherwise. The run by hand with Kolla's own source is
 * battle-log/2026-11-22-kolla-base-built-inside-the-gap.md.
 */
describe('airgap build kolla: Kolla\'s base and cron images from the bundle alone, no egress', () => {
  it('builds, pushes and records base and cron with zero attempts to leave the sandbox', async (ctx) => {
    if (!hasTool('kolla-build')) return ctx.skip('kolla-build is not on PATH: Kolla is not packaged in Debian and cannot be fetched here (see the battle log of the manual run)');
    if (process.getuid?.() !== 0) return ctx.skip('airgap build kolla starts a Docker engine in the sandbox: it needs root');
    if (!hasTool('dockerd')) return ctx.skip('no dockerd (Debian package docker.io)');
    download('kolla');
    const dir = await workspace('airgap-kolla-build-');
    const up = await debianUpstream(dir, 'kolla');
    const release = join(dir, 'release');
    await mkdir(release, { recursive: true });
    await writeFile(join(release, 'upstream.asc'), up.publicKey);
    await writeFile(join(release, 'factory.yaml'), [
      'version: 2024.1-test', 'kolla:',
      `  - { name: openstack, release: "2024.1", base: debian, images: ["^base$", "^cron$"], tarballsBase: "${up.url}", debian: { url: "${up.url}", suites: [bookworm], keyring: upstream.asc } }`,
    ].join('\n') + '\n');
    const { repo } = await carry(dir, release);
    const served = await startServer(repo, { host: '127.0.0.1', port: 0 });
    onCleanup(() => served.close());

    const r = await airgap(['build', 'kolla', release, '--server', served.url, '--out', join(dir, 'out'), '--results', join(dir, 'results')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK: build kolla in .*; 0 attempt\(s\) to leave the sandbox/);
    const build = JSON.parse(await readFile(join(dir, 'results/2024.1-test/build.json'), 'utf8'));
    const outputs = build.builds.at(-1).outputs as { name: string; digest: string; ref?: string }[];
    for (const image of ['base', 'cron']) {
      const o = outputs.find((x) => x.name === `kolla/${image}`);
      expect(o, `build.json records kolla/${image}`).toBeTruthy();
      // the digest recorded is the one the registry serves
      const res = await fetch(`${served.url}/v2/kolla/${image}/manifests/2024.1-test`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } });
      expect(res.headers.get('docker-content-digest')).toBe(o!.digest);
    }
    const conf = await readFile(join(dir, 'out/kolla/kolla-build.conf'), 'utf8');
    expect(conf).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  }, 1_800_000);
});
