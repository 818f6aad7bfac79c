import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { serveStatic } from './helpers/static-server.ts';
import { run } from '../src/host/exec.ts';
import { kollaGenerator, kollaEntry, selectImages, patternsOf, KOLLA_HOST_PACKAGES } from '../src/generators/kolla.ts';

const ctx = { releaseDir: '.', log: () => {} };
const python = { index: 'http://mirror.invalid/simple/', constraints: 'test/fixtures/kolla/upper-constraints.txt' };

describe('kolla generator: an image selection expands into its sources, pinned at lock', () => {
  it('selects as Kolla does: unanchored regex, every ancestor, nothing Kolla cannot build on Debian', () => {
    expect(selectImages(['^keystone$'], 'amd64')).toEqual(['base', 'keystone', 'keystone-base', 'openstack-base']);
    expect(selectImages(['keystone'], 'amd64')).toEqual(expect.arrayContaining(['keystone-fernet', 'keystone-ssh']));
    expect(selectImages(['bifrost', '^base$'], 'amd64')).toEqual(['base']); // bifrost is unbuildable on Debian
    expect(() => selectImages(['bifrost'], 'amd64')).toThrow(/select no image Kolla .* builds on Debian/);
    expect(() => selectImages(['^nothing-like-this$'], 'amd64')).toThrow(/select no image/);
    expect(() => selectImages(['(unclosed'], 'amd64')).toThrow(/is not a regular expression/);
  });

  it('takes Kolla\'s profiles as kolla-build --profile does: their entries OR-ed with the regexes', () => {
    const e = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', profiles: ['infra'], images: ['^keystone$'], tarballsBase: 'http://mirror.invalid/' });
    const picked = selectImages(patternsOf(e), 'amd64');
    for (const i of ['cron', 'haproxy', 'keepalived', 'memcached', 'keystone', 'base']) expect(picked).toContain(i);
    // Kolla's substring semantics: the profile entry "memcached" also picks the exporter
    expect(picked).toContain('prometheus-memcached-exporter');
    expect(() => kollaEntry.parse({ ...e, profiles: ['gate'] })).toThrow(/a profile of Kolla 2024\.1 \(infra, main, aux, default\)/);
    expect(() => patternsOf(kollaEntry.parse({ ...e, profiles: [], images: [] }))).toThrow(/no images and no profiles/);
  });

  it('expands into the sources of every selected image, with Kolla\'s own locations', async () => {
    const e = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', images: ['^keystone$'], tarballsBase: 'http://mirror.invalid/tarballs', python });
    const { file, git } = await kollaGenerator.expand([e], ctx) as { file: { name: string; url: string; path: string }[]; git: unknown[] };
    const names = file.map((f) => f.name);
    expect(names).toContain('kolla-keystone-base');
    expect(names).toContain('kolla-openstack-base');
    expect(names.every((n) => n.startsWith('kolla-'))).toBe(true);
    expect(file.find((f) => f.name === 'kolla-keystone-base')!.url).toBe('http://mirror.invalid/tarballs/openstack/keystone/keystone-unmaintained-2024.1.tar.gz');
    expect(git).toEqual([]);
  });

  it('expands the images\' Debian packages, Kolla itself and the Python pins into apt, git and pypi entries', async () => {
    const e = kollaEntry.parse({
      name: 'k', release: '2024.1', base: 'debian', images: ['^keystone$'], tarballsBase: 'http://mirror.invalid/tarballs', python,
      debian: { url: 'http://mirror.invalid/debian', keyring: 'debian.gpg' }, kolla: { url: 'http://mirror.invalid/kolla.git' },
    });
    const out = await kollaGenerator.expand([e], ctx) as Record<string, any[]>;
    expect(out.apt).toHaveLength(1);
    const apt = out.apt[0];
    expect(apt).toMatchObject({ name: 'kolla-k-debian', suites: ['bookworm-updates', 'bookworm'], priorities: ['required'], as: { repository: 'debian', suite: 'bookworm' } });
    // base's (Kolla's own list), keystone-base's, the offline extra, the build host's
    for (const p of ['dumb-init', 'tgt', 'python3-pip', 'extrepo', 'locales', 'libapache2-mod-auth-openidc', 'extrepo-offline-data', ...KOLLA_HOST_PACKAGES]) expect(apt.packages).toContain(p);
    expect(out.git).toEqual([{ name: 'kolla', url: 'http://mirror.invalid/kolla.git', ref: 'unmaintained/2024.1' }]);
    expect(out.pypi).toHaveLength(1);
    expect(out.pypi[0]).toMatchObject({ name: 'kolla-k-python', index: python.index, sdists: true, requirements: ['pkg-a===1.0', 'pkg-b===1.0'] });
    expect(out.pypi[0].targets).toEqual([expect.objectContaining({ python: '3.11', platforms: expect.arrayContaining(['manylinux2014_x86_64']) })]);
  });

  it('a third-party repository Kolla uses joins the Debian closure as another source, served under its own name, preferred by pin priority; security and backports at apt\'s default', async () => {
    const e = kollaEntry.parse({
      name: 'k', release: '2024.1', base: 'debian', images: ['^grafana$'], tarballsBase: 'http://mirror.invalid/tarballs',
      debian: { url: 'http://mirror.invalid/debian', keyring: 'debian.gpg' },
      repositories: { grafana: { url: 'http://vendor.invalid/grafana', suite: 'stable', keyring: 'grafana.asc' } },
      openstackBackports: { url: 'http://osbpo.invalid/debian', keyring: 'osbpo.asc' },
    });
    const withSecurity = kollaEntry.parse({ ...e, debian: { ...e.debian, security: { url: 'http://security.invalid/debian-security' } } });
    expect((await kollaGenerator.expand([withSecurity], ctx) as Record<string, any[]>).apt[0].also[0]).toEqual(
      { url: 'http://security.invalid/debian-security', suites: ['bookworm-security'], keyring: 'debian.gpg', as: { repository: 'debian', suite: 'bookworm' } });
    const apt = (await kollaGenerator.expand([e], ctx) as Record<string, any[]>).apt[0];
    expect(apt.packages).toContain('grafana');
    expect(apt.also).toEqual([
      { url: 'http://vendor.invalid/grafana', suites: ['stable'], components: ['main'], keyring: 'grafana.asc', as: { repository: 'grafana', suite: 'stable' }, pinPriority: 600 },
      { url: 'http://osbpo.invalid/debian', suites: ['bookworm-caracal-backports', 'bookworm-caracal-backports-nochange'], keyring: 'osbpo.asc', as: { repository: 'openstack-backports' } },
    ]);
    // the preference is the operator's to change: at apt's default, the highest version wins
    const equal = kollaEntry.parse({ ...e, repositories: { grafana: { ...e.repositories.grafana, pinPriority: 500 } } });
    expect((await kollaGenerator.expand([equal], ctx) as Record<string, any[]>).apt[0].also[0].pinPriority).toBe(500);
    const noDebian = kollaEntry.parse({ ...e, debian: undefined });
    await expect(kollaGenerator.expand([noDebian], ctx)).rejects.toThrow(/apt repositories are declared but no debian/);
  });

  it('refuses, at lock, a selection whose inputs the entry does not carry: Python packages, third-party repositories', async () => {
    const e = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', images: ['^keystone$'], tarballsBase: 'http://mirror.invalid/tarballs' });
    await expect(kollaGenerator.expand([e], ctx)).rejects.toThrow(/kolla k: images .*keystone-base.* run pip install, and the entry declares no Python packages/);
    const r = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', images: ['^rabbitmq$'], tarballsBase: 'http://mirror.invalid/tarballs', python });
    await expect(kollaGenerator.expand([r], ctx)).rejects.toThrow(/third-party apt repositories are not declared: rabbitmq needs "erlang-26", rabbitmq needs "erlang-27", rabbitmq needs "rabbitmq"/);
    // base alone installs nothing with pip and uses no third-party repository
    const b = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', images: ['^base$'], tarballsBase: 'http://mirror.invalid/tarballs' });
    expect((await kollaGenerator.expand([b], ctx) as Record<string, unknown[]>).pypi).toEqual([]);
  });

  describe('lock', () => {
    let dir: string;
    let up: { url: string };
    let release: string;
    beforeAll(async () => {
      dir = await workspace('airgap-kolla-');
      await mkdir(join(dir, 'tarballs'), { recursive: true });
      up = await serveStatic(join(dir, 'tarballs'));
      onCleanup(() => (up as unknown as { close: () => Promise<void> }).close());
      release = join(dir, 'release');
      await mkdir(release, { recursive: true });
      // the Python index of the test's upstream: the wheels of the pins, beside the tarballs
      await run('python3', [join(import.meta.dirname, 'fixtures/make-wheels.py'), join(dir, 'tarballs', 'pypi')]);
      // the release's upper-constraints by URL: pinned and carried as a file too
      await writeFile(join(dir, 'tarballs', 'upper-constraints.txt'), 'pkg-a===1.0\npkg-b===1.0\n');
      await writeFile(join(release, 'factory.yaml'), `version: 2024.1-r1\nkolla:\n  - { name: openstack, release: "2024.1", base: debian, images: ["^keystone$"], tarballsBase: "${up.url}", python: { index: "${up.url}/pypi/simple/", constraints: "${up.url}/upper-constraints.txt", sdists: false } }\n`);
    });

    it('a selection whose source is missing upstream fails at lock, naming the source', async () => {
      const e = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', images: ['^keystone$'], tarballsBase: up.url, python });
      const { file } = await kollaGenerator.expand([e], ctx) as { file: { name: string; url: string }[] };
      // every source but keystone's own is there
      for (const f of file.filter((x) => x.name !== 'kolla-keystone-base')) {
        const path = join(dir, 'tarballs', new URL(f.url).pathname);
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, `${f.name}\n`);
      }
      const r = await airgap(['lock', release, '--results', join(dir, 'results')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/file kolla-keystone-base: http:\/\/127\.0\.0\.1:\d+\/openstack\/keystone\/keystone-unmaintained-2024\.1\.tar\.gz: HTTP 404/);

      const missing = join(dir, 'tarballs/openstack/keystone/keystone-unmaintained-2024.1.tar.gz');
      await mkdir(join(missing, '..'), { recursive: true });
      await writeFile(missing, 'keystone\n');
      const ok = await airgap(['lock', release, '--results', join(dir, 'results')]);
      expect(ok.code, ok.stderr).toBe(0);
      const lock = JSON.parse(await readFile(join(release, 'factory.lock.json'), 'utf8'));
      expect(lock.artifacts.filter((a: any) => a.kind === 'file')).toHaveLength(file.length + 1);
      expect(lock.artifacts.find((a: any) => a.name === 'kolla-upper-constraints')).toMatchObject({ kind: 'file', path: 'kolla/upper-constraints/upper-constraints.txt' });
      expect(lock.artifacts.filter((a: any) => a.kind === 'pypi').map((a: any) => a.filename).sort()).toEqual(['pkg_a-1.0-py3-none-any.whl', 'pkg_b-1.0-py3-none-any.whl']);
      // the entries travel in the lock, for the builder in Env B
      expect(lock.generators.kolla[0]).toMatchObject({ name: 'openstack', images: ['^keystone$'] });
      expect(lock.artifacts.find((a: any) => a.name === 'kolla-keystone-base')).toMatchObject({ kind: 'file', path: 'kolla/keystone-base/keystone-unmaintained-2024.1.tar.gz', version: '2024.1' });
    });
  });
});
