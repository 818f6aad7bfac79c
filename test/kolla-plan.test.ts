import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { kollaGenerator, kollaEntry } from '../src/generators/kolla.ts';
import { planKollaBuild } from '../src/kolla/plan.ts';
import { checkKollaBuildConf, parseIni } from '../src/kolla/build-conf.ts';
import { checkReposYaml } from '../src/kolla/repos-yaml.ts';
import type { Lock } from '../src/lock/schema.ts';

const server = 'http://127.0.0.1:8081';
const entry = kollaEntry.parse({
  name: 'openstack', release: '2024.1', base: 'debian', images: ['^keystone$', '^etcd$'], tarballsBase: 'https://tarballs.invalid',
  python: { index: 'https://pypi.invalid/simple/', constraints: 'test/fixtures/kolla/upper-constraints.txt' },
});

/** A lock as `airgap lock` writes it for this entry: each generated file pinned (made-up hashes; nothing is fetched here). */
async function lockFor(e = entry, drop?: string): Promise<Lock> {
  const out = await kollaGenerator.expand([e], { releaseDir: '.', log: () => {} }) as { file: { name: string; url: string; path: string }[] };
  const artifacts = out.file.filter((f) => f.name !== drop).map((f, n) => ({ kind: 'file', id: `file:${f.name}`, name: f.name, version: '2024.1', url: f.url, path: f.path, sha256: n.toString(16).padStart(64, '0') }));
  artifacts.push({ kind: 'pypi', id: 'pypi:pkg-a', name: 'pkg-a', version: '1.0' } as never);
  return { lockVersion: 1, version: '2024.1-r1', created: '2026-11-22T00:00:00Z', manifestSha256: '0'.repeat(64), artifacts: artifacts as never };
}

const plan = (lock: Lock) => planKollaBuild({
  lock, entry, serverUrl: server, registry: '127.0.0.1:8081', baseImage: '127.0.0.1:8081/debian', baseTag: 'bookworm',
  aptKeyInImage: '/etc/apt/keyrings/airgap-factory.gpg', confDir: '/build/kolla', workDir: '/build/kolla-work', tag: '2024.1-r1',
});

describe('kolla build plan: what kolla-build reads comes from the lock alone', () => {
  it('renders every source of the selected images at its served location, pinned by the lock\'s sha256', async () => {
    const lock = await lockFor();
    const p = plan(lock);
    expect(p.images).toEqual(['base', 'etcd', 'keystone', 'keystone-base', 'openstack-base']);
    const conf = p.files['kolla-build.conf'];
    expect(checkKollaBuildConf(conf)).toEqual([]);
    const keystone = lock.artifacts.find((a) => a.name === 'kolla-keystone-base') as unknown as { path: string; sha256: string };
    expect(conf).toContain(`[keystone-base]\ntype = url\nlocation = ${server}/repository/raw/${keystone.path}\nsha256 = amd64:${keystone.sha256}\n`);
    // a per-architecture binary: the amd64 file, Kolla's own name for the arch in the pin
    const etcd = lock.artifacts.find((a) => a.name === 'kolla-etcd-amd64') as unknown as { path: string; sha256: string };
    expect(conf).toContain(`[etcd]\ntype = url\nlocation = ${server}/repository/raw/${etcd.path}\nsha256 = amd64:${etcd.sha256}\n`);
    const d = Object.fromEntries(parseIni(conf).filter((x) => x.section === 'DEFAULT' && x.key !== 'regex').map((x) => [x.key, conf.split('\n')[x.line - 1].split(' = ')[1]]));
    expect(d).toMatchObject({ base: 'debian', base_image: '127.0.0.1:8081/debian', base_tag: 'bookworm', registry: '127.0.0.1:8081', push: 'true', tag: '2024.1-r1', template_override: '/build/kolla/template-overrides.j2', repos_yaml: '/build/kolla/repos.yaml', summary_json_file: '/build/kolla/summary.json' });
    // regex is a MultiOpt: one line per pattern (a comma-joined value is one pattern that matches nothing)
    expect(conf).toContain('regex = ^base$\nregex = ^etcd$\nregex = ^keystone$\nregex = ^keystone-base$\nregex = ^openstack-base$\n');
    expect(checkKollaBuildConf('[DEFAULT]\nbase = debian\nbase = ubuntu\nregex = a\nregex = b\n')).toEqual(['line 3: [DEFAULT] base is set twice; only this last value counts']);
    // nothing in the configuration points outside the gap
    for (const text of Object.values(p.files)) expect(text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1:8081)/);
    expect(checkReposYaml(parse(p.files['repos.yaml']))).toEqual([]);
    expect(p.files['template-overrides.j2']).toContain(`PIP_INDEX_URL=${server}/repository/pypi/simple/ PIP_TRUSTED_HOST=127.0.0.1\n`);
    // with the constraints file in the lock, kolla-toolbox's UPPER_CONSTRAINTS_FILE points at the served copy
    lock.artifacts.push({ kind: 'file', id: 'file:kolla-upper-constraints', name: 'kolla-upper-constraints', path: 'kolla/upper-constraints/upper-constraints.txt' } as never);
    expect(plan(lock).files['template-overrides.j2']).toContain(`UPPER_CONSTRAINTS_FILE=${server}/repository/raw/kolla/upper-constraints/upper-constraints.txt`);
  });

  it('Kolla\'s third-party repositories in repos.yaml point at the served copies, signed with the factory key Kolla fetches from the server', async () => {
    const e = kollaEntry.parse({ ...entry, images: ['^grafana$'], debian: { url: 'https://debian.invalid/debian', keyring: 'd.gpg' }, repositories: { grafana: { url: 'https://vendor.invalid/grafana', suite: 'stable', keyring: 'grafana.asc' } } });
    const lock = await lockFor(e);
    const input = { lock, entry: e, serverUrl: server, registry: '127.0.0.1:8081', baseImage: '127.0.0.1:8081/debian', baseTag: 'bookworm', aptKeyInImage: '/k.gpg', confDir: '/c', workDir: '/w', tag: 't' };
    expect(() => planKollaBuild(input)).toThrow(/the lock carries no apt repository grafana/);
    lock.artifacts.push({ kind: 'apt', id: 'apt:grafana/stable:grafana_10_amd64', name: 'grafana', version: '10', repository: 'grafana' } as never);
    const p = planKollaBuild(input);
    expect(parse(p.files['repos.yaml'])).toEqual({ debian: { grafana: { url: `${server}/repository/grafana`, suite: 'stable', component: 'main', gpg_key: 'airgap-factory.gpg' } } });
    expect(p.files['template-overrides.j2']).toContain(`'url': '${server}/repository/debian/repository-key.gpg'`);
  });

  it('refuses a lock that lacks a source of the selection, naming it, before any engine starts', async () => {
    const lock = await lockFor(entry, 'kolla-keystone-base');
    expect(() => plan(lock)).toThrow(/kolla openstack: the lock carries no kolla-keystone-base/);
  });
});
