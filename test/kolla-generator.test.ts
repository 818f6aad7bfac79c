import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onCleanup } from './helpers/cleanup.ts';
import { workspace, airgap } from './helpers/workspace.ts';
import { serveStatic } from './helpers/static-server.ts';
import { kollaGenerator, kollaEntry, selectImages } from '../src/generators/kolla.ts';

const ctx = { releaseDir: '.', log: () => {} };

describe('kolla generator: an image selection expands into its sources, pinned at lock', () => {
  it('selects as Kolla does: unanchored regex, every ancestor, nothing Kolla cannot build on Debian', () => {
    expect(selectImages(['^keystone$'], 'amd64')).toEqual(['base', 'keystone', 'keystone-base', 'openstack-base']);
    expect(selectImages(['keystone'], 'amd64')).toEqual(expect.arrayContaining(['keystone-fernet', 'keystone-ssh']));
    expect(selectImages(['bifrost', '^base$'], 'amd64')).toEqual(['base']); // bifrost is unbuildable on Debian
    expect(() => selectImages(['bifrost'], 'amd64')).toThrow(/select no image Kolla .* builds on Debian/);
    expect(() => selectImages(['^nothing-like-this$'], 'amd64')).toThrow(/select no image/);
    expect(() => selectImages(['(unclosed'], 'amd64')).toThrow(/is not a regular expression/);
  });

  it('expands into the sources of every selected image, with Kolla\'s own locations', async () => {
    const e = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', images: ['^keystone$'], tarballsBase: 'http://mirror.invalid/tarballs' });
    const { file, git } = await kollaGenerator.expand([e], ctx) as { file: { name: string; url: string; path: string }[]; git: unknown[] };
    const names = file.map((f) => f.name);
    expect(names).toContain('kolla-keystone-base');
    expect(names).toContain('kolla-openstack-base');
    expect(names.every((n) => n.startsWith('kolla-'))).toBe(true);
    expect(file.find((f) => f.name === 'kolla-keystone-base')!.url).toBe('http://mirror.invalid/tarballs/openstack/keystone/keystone-unmaintained-2024.1.tar.gz');
    expect(git).toEqual([]);
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
      await writeFile(join(release, 'factory.yaml'), `version: 2024.1-r1\nkolla:\n  - { name: openstack, release: "2024.1", base: debian, images: ["^keystone$"], tarballsBase: "${up.url}" }\n`);
    });

    it('a selection whose source is missing upstream fails at lock, naming the source', async () => {
      const e = kollaEntry.parse({ name: 'k', release: '2024.1', base: 'debian', images: ['^keystone$'], tarballsBase: up.url });
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
      expect(lock.artifacts).toHaveLength(file.length);
      expect(lock.artifacts.find((a: any) => a.name === 'kolla-keystone-base')).toMatchObject({ kind: 'file', path: 'kolla/keystone-base/keystone-unmaintained-2024.1.tar.gz', version: '2024.1' });
    });
  });
});
