import { KOLLA_2024_1, type KollaOptions } from './options.ts';
import { AirgapError } from '../util/errors.ts';

export interface OverrideInput {
  /** the served apt repository (…/repository/debian) and the suite it carries */
  aptRepository: string;
  aptSuite: string;
  /** where the base image keeps the factory key (the base-image builder puts it there) */
  aptKeyInImage: string;
  /** the factory's public key as served (binary): Kolla fetches it as /etc/kolla/apt-keys/<FACTORY_KEY_NAME>.gpg, which repos.yaml names */
  keyUrl: string;
  /** the served OpenStack backports, when the release carries them */
  openstackBackports?: { url: string; suite: string };
  /** the served PyPI index, when the release carries Python packages */
  pipIndexUrl?: string;
  /** the served upper-constraints file, when the release carries it (kolla-toolbox reads UPPER_CONSTRAINTS_FILE) */
  constraintsUrl?: string;
}

/** The one key every served apt repository is signed with, as Kolla's key directory names it. */
export const FACTORY_KEY_NAME = 'airgap-factory';

/** Blocks leaf images also have (each image's own Dockerfile.j2), beside the base template's. */
const LEAF_BLOCKS = ['footer'];

/**
 * The --template-override file for a build inside the gap (the offline recipe of
 * ../shared/reference/kolla-offline.md §4, made from what the release carries):
 * - no key from outside: no keyserver keys, and the one key fetched with curl is the factory's
 *   own from the server (every served repository, Kolla's third-party ones included, is signed
 *   with it; repos.yaml names it);
 * - base_debian_after_sources_list: Debian's sources replaced by the served repository, and
 *   extrepo switched to its offline data, because Kolla's `extrepo enable openstack_caracal`
 *   sits outside any block;
 * - base_ubuntu_package_apt_preferences (Debian runs it too): the OpenStack backports source
 *   extrepo wrote (deb and deb-src, osbpo's key) is replaced by the served copy, or removed when
 *   the release does not carry it: `apt-get --error-on=any update` fails on any unreachable source;
 * - base_pip_conf: pip pointed at the served index; `footer` empties it in the final images.
 */
export function renderTemplateOverride(i: OverrideInput, o: KollaOptions = KOLLA_2024_1): string {
  const source = `deb [signed-by=${i.aptKeyInImage}] ${i.aptRepository} ${i.aptSuite} main`;
  const blocks: Record<string, string[]> = {
    base_debian_after_sources_list: [
      `RUN printf '%s\\n' '${source}' > /etc/apt/sources.list \\`,
      ' && rm -f /etc/apt/sources.list.d/kolla-custom.list /etc/apt/sources.list.d/debian.sources \\',
      ' && apt-get --error-on=any update \\',
      ' && apt-get install -y --no-install-recommends extrepo extrepo-offline-data \\',
      ' && sed -i "s#^url:.*#url: file:///usr/share/extrepo/offline-data#" /etc/extrepo/config.yaml',
    ],
    base_ubuntu_package_apt_preferences: [
      '{{ super() }}',
      i.openstackBackports
        ? `RUN printf '%s\\n' 'deb [signed-by=${i.aptKeyInImage}] ${i.openstackBackports.url} ${i.openstackBackports.suite} main' > /etc/apt/sources.list.d/openstack-backports.list && rm -f /etc/apt/sources.list.d/extrepo_openstack_caracal.sources`
        : 'RUN rm -f /etc/apt/sources.list.d/extrepo_openstack_caracal.sources',
    ],
    ...(i.pipIndexUrl ? {
      base_pip_conf: [`ENV PIP_INDEX_URL=${i.pipIndexUrl} PIP_TRUSTED_HOST=${new URL(i.pipIndexUrl).hostname}${i.constraintsUrl ? ` UPPER_CONSTRAINTS_FILE=${i.constraintsUrl}` : ''}`],
      footer: [`ENV PIP_INDEX_URL= PIP_TRUSTED_HOST=${i.constraintsUrl ? ' UPPER_CONSTRAINTS_FILE=' : ''}`],
    } : {}),
  };
  const unknown = Object.keys(blocks).filter((b) => !o.baseTemplateBlocks.includes(b) && !LEAF_BLOCKS.includes(b));
  if (unknown.length) throw new AirgapError(`template override: ${unknown.join(', ')} not a block of Kolla ${o.source.ref}'s templates`);
  return [
    '{% extends parent_template %}',
    '',
    '{# Kolla\'s key lists (filters.py: <image>_<list>_override): nothing from a keyserver, only the factory key from the server #}',
    '{% set base_apt_keys_override = [] %}',
    `{% set base_remote_apt_keys_override = [{'name': '${FACTORY_KEY_NAME}', 'url': '${i.keyUrl}', 'type': 'gpg'}] %}`,
    '',
    ...Object.entries(blocks).flatMap(([name, body]) => [`{% block ${name} %}`, ...body, '{% endblock %}', '']),
  ].join('\n');
}
