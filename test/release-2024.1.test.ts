import { describe, it, expect } from 'vitest';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';

/**
 * releases/2024.1: the declaration is valid, and its lock fails in Env A on exactly what the
 * factory cannot carry yet (Galaxy collections, RubyGems, vendor repositories no machine here
 * reaches), all named in one message, before anything is downloaded.
 */
describe('release 2024.1-r1: a small cloud\'s Kolla images, every upstream a setting', () => {
  it('locks up to what it cannot carry, and names exactly that', async () => {
    const dir = await workspace('airgap-release-2024.1-');
    const release = join(dir, 'release');
    await cp(join(import.meta.dirname, '../releases/2024.1'), release, { recursive: true });
    const unset = await airgap(['lock', release, '--results', join(dir, 'results')]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/environment variable .*DEBIAN_MIRROR.* not set/);
    // nothing answers on port 9 of loopback: the vendor repositories are out of reach, as they are from every machine here
    const nowhere = 'http://127.0.0.1:9';
    const env = { DEBIAN_MIRROR: `${nowhere}/debian`, DEBIAN_SECURITY: `${nowhere}/debian-security`, OPENSTACK_TARBALLS: `${nowhere}/tarballs`, ERLANG_APT: `${nowhere}/erlang`, RABBITMQ_APT: `${nowhere}/rabbitmq`, MARIADB_APT: `${nowhere}/mariadb`, FLUENTD_APT: `${nowhere}/fluentd` };
    const r = await airgap(['lock', release, '--results', join(dir, 'results')], { env });
    expect(r.code).toBe(1);
    const named = /cannot carry yet: (.*)/.exec(r.stderr)?.[1] ?? '';
    expect(named.split('; ').map((x) => x.split(':')[0].replace(/^apt repository /, 'apt:'))).toEqual(['fluentd', 'kolla-toolbox', 'apt:erlang-26', 'apt:erlang-27', 'apt:fluentd', 'apt:mariadb', 'apt:rabbitmq']);
  }, 120_000);
});
