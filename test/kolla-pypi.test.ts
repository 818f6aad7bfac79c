import { describe, it, expect } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspace, airgap } from './helpers/workspace.ts';
import { spawnSync } from 'node:child_process';
import { kollaGenerator, kollaEntry, kollaHostTarget, KOLLA_PIP_HOST_PACKAGES, BOOKWORM_PYTHON } from '../src/generators/kolla.ts';
import { planKollaBuild } from '../src/kolla/plan.ts';
import { parsePipConfig, indexFlags, hostPipIndex } from '../src/pypi/host-index.ts';
import { targetName } from '../src/kinds/pypi/resolve.ts';
import type { Lock } from '../src/lock/schema.ts';
import { imagesRequirements, sdistOf } from '../src/kolla/pip-requirements.ts';

const ctx = { releaseDir: '/rel', log: () => {} };
const base = { name: 'openstack', release: '2024.1', base: 'debian', tarballsBase: 'http://tarballs.invalid' } as const;
const python = { constraints: `${process.cwd()}/test/fixtures/kolla/upper-constraints.txt` };

describe('the host pip\'s index, as the apt kind takes the host\'s Debian mirror', () => {
  it('reads pip config list with pip\'s precedence (environment, [install], [global]) and leaves find-links out', () => {
    const text = [":env:.find-links='/opt/wheels'", "global.index-url='http://a.invalid/simple'", "install.index-url='http://b.invalid/simple'", "global.cert='/etc/ca.pem'", "global.trusted-host='a.invalid b.invalid'"].join('\n');
    expect(parsePipConfig(text)).toEqual({ indexUrl: 'http://b.invalid/simple', cert: '/etc/ca.pem', trustedHosts: ['a.invalid', 'b.invalid'] });
    expect(parsePipConfig(`${text}\n:env:.index-url='http://c.invalid/simple'`).indexUrl).toBe('http://c.invalid/simple');
    // nothing configured: pip's own default applies, so no --index-url is passed at all
    expect(parsePipConfig(":env:.cert='/etc/ssl/certs/ca-certificates.crt'")).toEqual({ cert: '/etc/ssl/certs/ca-certificates.crt', trustedHosts: [] });
  });

  it('passes the entry\'s index when there is one, else exactly what this host\'s pip is configured with', async () => {
    expect(await indexFlags('http://x.invalid/simple/')).toEqual(['--index-url', 'http://x.invalid/simple/']);
    const h = await hostPipIndex();
    const flags = await indexFlags(undefined);
    expect(flags.includes('--index-url')).toBe(h.indexUrl !== undefined);
    if (h.indexUrl) expect(flags[flags.indexOf('--index-url') + 1]).toBe(h.indexUrl);
  });
});

describe('kolla generator: Kolla itself from Python packages, and per-source overrides', () => {
  it('Kolla as pip requirements: a pypi entry for the build host\'s Python (docker added), the venv\'s host packages, no git', async () => {
    const e = kollaEntry.parse({ ...base, images: ['^base$'], debian: { url: 'http://deb.invalid/debian', keyring: 'k.gpg' }, kolla: { pip: ['kolla==18.*'] } });
    const out = await kollaGenerator.expand([e], ctx) as Record<string, any[]>;
    expect(out.git).toEqual([]);
    expect(out.pypi).toHaveLength(1);
    const { interpreter, ...rest } = out.pypi[0];
    expect(rest).toEqual({ name: 'kolla-openstack-kolla', requirements: ['kolla==18.*', 'docker'], sdists: false, targets: [kollaHostTarget('3.11')] });
    // resolved by bookworm's own Python where the lock host has it: its environment markers are the images' and the build host's
    const bookworm = spawnSync(BOOKWORM_PYTHON, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).stdout?.trim() === '3.11.2';
    expect(interpreter).toBe(bookworm ? BOOKWORM_PYTHON : undefined);
    expect(kollaHostTarget('3.11').platforms[0]).toBe('linux_x86_64');
    for (const p of KOLLA_PIP_HOST_PACKAGES) expect(out.apt[0].packages).toContain(p);
    expect(out.apt[0].packages).not.toContain('python3-oslo.config');
    // an index named in the entry is kept; a docker pin of the operator's is not doubled
    const withIndex = kollaEntry.parse({ ...e, kolla: { pip: ['kolla==18.8.0', 'docker==7.1.0'], index: 'http://pypi.invalid/simple/' } });
    expect((await kollaGenerator.expand([withIndex], ctx) as Record<string, any[]>).pypi[0]).toMatchObject({ index: 'http://pypi.invalid/simple/', requirements: ['kolla==18.8.0', 'docker==7.1.0'] });
    expect(() => kollaEntry.parse({ ...e, kolla: { pip: ['kolla'], url: 'http://git.invalid/kolla' } })).toThrow();
  });

  it('overrides a source as Kolla does (url, local, git), each pinned at lock; unknown sections and local non-tarballs are refused', async () => {
    const e = kollaEntry.parse({
      ...base, images: ['^keystone$', '^placement-api$'], python,
      sources: {
        'keystone-base': { type: 'local', location: 'sources/keystone-25.0.0.tar.gz' },
        'placement-base': { type: 'url', location: 'http://files.invalid/openstack_placement-11.0.1.tar.gz' },
        'openstack-base-plugin-pycadf': { type: 'git', location: 'http://git.invalid/pycadf', reference: '3.1.1' },
      },
    });
    const out = await kollaGenerator.expand([e], ctx) as Record<string, any[]>;
    expect(out.file).toContainEqual({ name: 'kolla-keystone-base', url: pathToFileURL('/rel/sources/keystone-25.0.0.tar.gz').href, path: 'kolla/keystone-base/keystone-25.0.0.tar.gz' });
    expect(out.file).toContainEqual({ name: 'kolla-placement-base', url: 'http://files.invalid/openstack_placement-11.0.1.tar.gz', path: 'kolla/placement-base/openstack_placement-11.0.1.tar.gz' });
    expect(out.git).toEqual([{ name: 'kolla-openstack-base-plugin-pycadf', url: 'http://git.invalid/pycadf', ref: '3.1.1' }]);
    // the sections not overridden keep Kolla's own location
    expect(out.file.find((f) => f.name === 'kolla-openstack-base').url).toBe('http://tarballs.invalid/openstack/requirements/requirements-unmaintained-2024.1.tar.gz');
    await expect(kollaGenerator.expand([kollaEntry.parse({ ...e, sources: { 'keystone-bass': { type: 'url', location: 'http://x.invalid/k.tar.gz' } } })], ctx)).rejects.toThrow(/sources keystone-bass: not a source section of Kolla/);
    await expect(kollaGenerator.expand([kollaEntry.parse({ ...e, sources: { 'keystone-base': { type: 'local', location: 'src/keystone' } } })], ctx)).rejects.toThrow(/a local source must be a tarball/);
  });

  it('the plan takes each overridden source from what the lock carries (git at its commit, a file by its sha256); Kolla\'s own pip files do not point the images at an index', async () => {
    const e = kollaEntry.parse({
      ...base, images: ['^placement-api$'], kolla: { pip: ['kolla==18.8.0'] },
      sources: { 'placement-base': { type: 'git', location: 'http://git.invalid/placement', reference: '11.0.1' }, 'openstack-base': { type: 'local', location: 'requirements.tar.gz' } },
    });
    const host = targetName({ ...kollaHostTarget('3.11'), implementation: 'cp' });
    const lock = {
      lockVersion: 1, version: 'r1', created: '2026-12-08T00:00:00Z', manifestSha256: '0'.repeat(64), artifacts: [
        { kind: 'file', id: 'file:kolla-openstack-base', name: 'kolla-openstack-base', version: 'unversioned', url: 'file:///rel/requirements.tar.gz', path: 'kolla/openstack-base/requirements.tar.gz', sha256: 'a'.repeat(64) },
        { kind: 'file', id: 'file:kolla-openstack-base-plugin-pycadf', name: 'kolla-openstack-base-plugin-pycadf', version: '2024.1', url: 'http://x.invalid/pycadf-3.1.1.tar.gz', path: 'kolla/openstack-base-plugin-pycadf/pycadf-3.1.1.tar.gz', sha256: 'b'.repeat(64) },
        { kind: 'git', id: 'git:kolla-placement-base', name: 'kolla-placement-base', url: 'http://git.invalid/placement', ref: '11.0.1', commit: 'c'.repeat(40) },
        { kind: 'pypi', id: 'pypi:kolla-18.8.0-py3-none-any.whl', name: 'kolla', version: '18.8.0', filename: 'kolla-18.8.0-py3-none-any.whl', url: 'http://x.invalid/k.whl', sha256: 'd'.repeat(64), targets: [host] },
      ],
    } as unknown as Lock;
    const p = planKollaBuild({ lock, entry: e, serverUrl: 'http://127.0.0.1:1', registry: '127.0.0.1:1', baseImage: '127.0.0.1:1/debian', baseTag: 'bookworm', aptKeyInImage: '/k.gpg', confDir: '/c', workDir: '/w', tag: 'r1' });
    expect(p.sources['placement-base']).toEqual({ type: 'git', location: 'http://127.0.0.1:1/repository/git/kolla-placement-base.git', reference: 'c'.repeat(40) });
    expect(p.sources['openstack-base']).toEqual({ type: 'url', location: 'http://127.0.0.1:1/repository/raw/kolla/openstack-base/requirements.tar.gz', sha256: `amd64:${'a'.repeat(64)}` });
    expect(p.files['template-overrides.j2']).not.toContain('PIP_INDEX_URL');
  });
});

describe('what the factory cannot carry yet is refused at lock, all of it in one message', () => {
  it('Galaxy collections (kolla-toolbox), RubyGems (fluentd), and the vendor repositories that cannot be reached from here', async () => {
    const e = kollaEntry.parse({
      ...base, images: ['^kolla-toolbox$', '^fluentd$', '^cron$'], python,
      repositories: Object.fromEntries(['erlang-26', 'rabbitmq', 'fluentd'].map((r) => [r, { url: `http://127.0.0.1:9/${r}`, suite: 'bookworm', keyring: `${r}.asc` }])),
    });
    const err = await kollaGenerator.expand([e], ctx).catch((x: Error) => x);
    expect(String(err)).toMatch(/cannot carry yet: fluentd: RubyGems .*; kolla-toolbox: Ansible Galaxy collections .*; apt repository erlang-26: .*; apt repository fluentd: .*; apt repository rabbitmq: /);
    // cron alone: nothing refused
    await expect(kollaGenerator.expand([kollaEntry.parse({ ...e, images: ['^cron$'] })], ctx)).resolves.toBeTruthy();
  });
});

describe('python.requirements images: what the selected images pip-install, from Kolla\'s templates', () => {
  it('names each package, and each source path as its released sdist\'s project and version; a branch tarball is named as unknown', () => {
    expect(sdistOf('openstack_placement-11.0.1.tar.gz')).toEqual({ dist: 'openstack_placement', version: '11.0.1' });
    expect(sdistOf('keystone-unmaintained-2024.1.tar.gz')).toBeUndefined();
    const files: Record<string, string> = { 'openstack-base': 'requirements-2024.1.tar.gz', 'openstack-base-plugin-pycadf': 'pycadf-3.1.1.tar.gz', 'keystone-base': 'keystone-25.0.0.tar.gz', 'placement-base': 'openstack_placement-11.0.1.tar.gz' };
    const r = imagesRequirements(['openstack-base', 'keystone-base', 'keystone', 'placement-base'], (s) => files[s]);
    expect(r.unknown).toEqual([]);
    // /keystone[ldap] keeps its extras; /plugins/* and /plugins/*pycadf* are the plugin sections up the chain
    for (const x of ['keystone[ldap]==25.0.0', 'openstack_placement==11.0.1', 'pycadf==3.1.1', 'requests-kerberos', 'setuptools==67.2.*', 'oslo.config']) expect(r.requirements).toContain(x);
    expect(imagesRequirements(['keystone-base'], () => 'keystone-unmaintained-2024.1.tar.gz').unknown).toEqual(['keystone-base (keystone-unmaintained-2024.1.tar.gz)']);
  });
});

describe('lock: Kolla from the host pip\'s index, for the build host\'s Python', () => {
  it('pins kolla and its dependencies (docker among them) as files of the index, every one a wheel for the build host', async () => {
    const dir = await workspace('airgap-kolla-pypi-');
    const release = join(dir, 'release');
    await mkdir(release, { recursive: true });
    await writeFile(join(release, 'factory.yaml'), `version: r1\nkolla:\n  - { name: openstack, release: "2024.1", base: debian, images: ["^base$"], tarballsBase: "http://127.0.0.1:9/", kolla: { pip: ["kolla==18.8.0"] } }\n`);
    const r = await airgap(['lock', release, '--results', join(dir, 'results')]);
    expect(r.code, r.stderr).toBe(0);
    const lock = JSON.parse(await readFile(join(release, 'factory.lock.json'), 'utf8'));
    const files = lock.artifacts.filter((a: any) => a.kind === 'pypi');
    const names = files.map((a: any) => a.name);
    for (const n of ['kolla', 'docker', 'oslo-config', 'jinja2', 'gitpython', 'pbr']) expect(names).toContain(n);
    expect(files.find((a: any) => a.name === 'kolla')).toMatchObject({ version: '18.8.0', filename: 'kolla-18.8.0-py3-none-any.whl' });
    const host = targetName({ ...kollaHostTarget('3.11'), implementation: 'cp' });
    for (const f of files) {
      expect(f.filename).toMatch(/\.whl$/);
      expect(f.targets).toEqual([host]);
      expect(f.url).toMatch(/^https?:\/\//);
    }
  }, 300_000);
});
