import { describe, it, expect } from 'vitest';
import { checkKollaBuildConf, renderKollaBuildConf } from '../src/kolla/build-conf.ts';
import { checkReposYaml, renderReposYaml } from '../src/kolla/repos-yaml.ts';
import { renderTemplateOverride } from '../src/kolla/overrides.ts';
import { KOLLA_2024_1 } from '../src/kolla/options.ts';

const input = {
  baseImage: '127.0.0.1:8081/library/debian', baseTag: 'bookworm', registry: '127.0.0.1:8081', namespace: 'kolla', tag: '2024.1-airgap', push: true,
  tarballsBase: 'http://127.0.0.1:8081/repository/raw/tarballs', profile: 'main', regex: ['^base$', 'keystone'],
  sources: {
    'keystone-base': { type: 'url' as const, location: 'http://127.0.0.1:8081/repository/raw/tarballs/keystone-25.0.0.tar.gz', sha256: 'a'.repeat(64) },
    'prometheus-alertmanager': { type: 'url' as const, location: 'http://127.0.0.1:8081/repository/raw/prometheus/alertmanager-0.27.0.linux-amd64.tar.gz', sha256: 'b'.repeat(64) },
  },
  templateOverride: '/srv/kolla/overrides.j2', reposYaml: '/srv/kolla/repos.yaml',
};

describe('kolla: kolla-build.conf, repos.yaml and overrides against Kolla 2024.1\'s own options', () => {
  it('the data names where it came from: Kolla\'s repository and commit', () => {
    expect(KOLLA_2024_1.source.repository).toBe('openstack/kolla');
    expect(KOLLA_2024_1.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(KOLLA_2024_1.sources).length).toBeGreaterThan(80);
  });

  it('renders a kolla-build.conf in which every key is one Kolla 2024.1 reads', () => {
    const text = renderKollaBuildConf(input);
    expect(checkKollaBuildConf(text)).toEqual([]);
    expect(text).toMatch(/^base_image = 127\.0\.0\.1:8081\/library\/debian$/m);
    expect(text).toMatch(/^\[keystone-base\]\ntype = url\nlocation = http:\/\/127\.0\.0\.1:8081\/repository\/raw\/tarballs\/keystone-25\.0\.0\.tar\.gz\nsha256 = a{64}$/m);
    expect(text).toMatch(/^regex = \^base\$\nregex = keystone$/m);
  });

  it('an unknown key is an error, never silently ignored as Kolla would', () => {
    expect(checkKollaBuildConf('[DEFAULT]\ndeb_repo = http://x\nbase-tag = bookworm\n')).toEqual([
      'line 2: [DEFAULT] deb_repo is not a kolla-build option',
      'line 3: [DEFAULT] base-tag is not a kolla-build option (write base_tag)',
    ]);
    expect(checkKollaBuildConf('[keystone-base]\nurl = http://x\n[no-such-image]\ntype = url\n[keystone-base-plugin-x]\nlocation = y\n[profiles]\nmine = base\n[keystone-user]\nuid = 42\nshell = /bin/sh\n')).toEqual([
      'line 2: [keystone-base] url is not a source option (type, location, reference, enabled, version, sha256)',
      'line 4: [no-such-image] is not a source section of Kolla unmaintained/2024.1',
      'line 11: [keystone-user] shell is not a user option (uid, gid, group)',
    ].map((s) => s.replace('unmaintained/2024.1', KOLLA_2024_1.source.ref)));
    expect(() => renderKollaBuildConf({ ...input, sources: { 'no-such-image': { type: 'url', location: 'x' } } })).toThrow(/\[no-such-image\] is not a source section/);
  });

  it('repos.yaml: Kolla\'s third-party repositories by name, pointed at the internal apt repository', () => {
    const y = renderReposYaml({ grafana: { url: 'http://127.0.0.1:8081/repository/grafana', suite: 'stable', component: 'main', gpg_key: 'airgap-factory.asc' } });
    expect(y).toContain('debian:\n  grafana:\n    url: http://127.0.0.1:8081/repository/grafana');
    expect(checkReposYaml({ debian: { grafana: { url: 'u', suite: 's', component: 'c', gpg_key: 'k', keyring: 'x' } }, fedora: {} })).toEqual([
      'debian.grafana.keyring: not a repository key (component, gpg_key, suite, url)',
      `fedora: not a distro Kolla reads (${KOLLA_2024_1.reposYaml.topLevelKeys.join(', ')})`,
    ]);
  });

  it('the template override uses only blocks Kolla\'s templates have', () => {
    const apt = { aptRepository: 'http://127.0.0.1:8081/repository/debian', aptSuite: 'bookworm', aptKeyInImage: '/etc/apt/keyrings/airgap-factory.gpg', keyUrl: 'http://127.0.0.1:8081/repository/debian/repository-key.gpg' };
    const t = renderTemplateOverride({ ...apt, pipIndexUrl: 'http://127.0.0.1:8081/repository/pypi/simple/' });
    expect(t.split('\n')[0]).toBe('{% extends parent_template %}');
    const blocks = [...t.matchAll(/{% block (\w+) %}/g)].map((m) => m[1]);
    for (const b of blocks) expect([...KOLLA_2024_1.baseTemplateBlocks, 'footer']).toContain(b);
    expect(blocks).toEqual(['base_debian_after_sources_list', 'base_ubuntu_package_apt_preferences', 'base_pip_conf', 'footer']);
    expect(t).toContain('PIP_INDEX_URL=http://127.0.0.1:8081/repository/pypi/simple/');
    expect(t).toContain("'deb [signed-by=/etc/apt/keyrings/airgap-factory.gpg] http://127.0.0.1:8081/repository/debian bookworm main' > /etc/apt/sources.list");
    expect(t).toContain('{% set base_apt_keys_override = [] %}');
    expect(t).toContain("{% set base_remote_apt_keys_override = [{'name': 'airgap-factory', 'url': 'http://127.0.0.1:8081/repository/debian/repository-key.gpg', 'type': 'gpg'}] %}");
    expect(t).toContain('RUN rm -f /etc/apt/sources.list.d/extrepo_openstack_caracal.sources');
    // carried OpenStack backports: the served copy replaces osbpo (deb only, the factory key)
    const b = renderTemplateOverride({ ...apt, openstackBackports: { url: 'http://127.0.0.1:8081/repository/openstack-backports', suite: 'bookworm-caracal-backports' } });
    expect(b).toContain("'deb [signed-by=/etc/apt/keyrings/airgap-factory.gpg] http://127.0.0.1:8081/repository/openstack-backports bookworm-caracal-backports main' > /etc/apt/sources.list.d/openstack-backports.list && rm -f /etc/apt/sources.list.d/extrepo_openstack_caracal.sources");
    // the lists it empties are Kolla's own customisable lists of base
    expect(t).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    // without Python packages there is no pip configuration to set or clear
    expect(renderTemplateOverride(apt)).not.toContain('PIP_INDEX_URL');
  });
});
