import { KOLLA_2024_1, type KollaOptions } from './options.ts';
import { AirgapError } from '../util/errors.ts';

export interface OverrideInput {
  /** the served apt repository (…/repository/debian) and the suite it carries */
  aptRepository: string;
  aptSuite: string;
  /** where the base image keeps the factory key (the base-image builder puts it there) */
  aptKeyInImage: string;
  /** the served PyPI index, when the release carries Python packages */
  pipIndexUrl?: string;
}

/** Blocks leaf images also have (each image's own Dockerfile.j2), beside the base template's. */
const LEAF_BLOCKS = ['footer'];
/** Kolla's customisable lists (filters.py: <image>_<list>_override) this file sets, and the lists they replace */
const LIST_OVERRIDES = { base_apt_keys_override: 'keys fetched from a keyserver', base_remote_apt_keys_override: 'keys fetched with curl' };

/**
 * The --template-override file for a build inside the gap (the offline recipe of
 * ../shared/reference/kolla-offline.md §4, made from what the release carries):
 * - no key downloads: the keyserver and curl key lists are emptied (third-party repositories
 *   are served by the factory, signed with its key, which the base image already trusts);
 * - base_debian_after_sources_list: Debian's sources replaced by the served repository, and
 *   extrepo switched to its offline data, because Kolla's `extrepo enable openstack_caracal`
 *   sits outside any block;
 * - base_ubuntu_package_apt_preferences (Debian runs it too): the OpenStack backports source
 *   extrepo wrote is removed, since the release does not carry that repository and
 *   `apt-get --error-on=any update` fails on any unreachable source;
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
      'RUN rm -f /etc/apt/sources.list.d/extrepo_openstack_caracal.sources',
    ],
    ...(i.pipIndexUrl ? {
      base_pip_conf: [`ENV PIP_INDEX_URL=${i.pipIndexUrl} PIP_TRUSTED_HOST=${new URL(i.pipIndexUrl).hostname}`],
      footer: ['ENV PIP_INDEX_URL= PIP_TRUSTED_HOST='],
    } : {}),
  };
  const unknown = Object.keys(blocks).filter((b) => !o.baseTemplateBlocks.includes(b) && !LEAF_BLOCKS.includes(b));
  if (unknown.length) throw new AirgapError(`template override: ${unknown.join(', ')} not a block of Kolla ${o.source.ref}'s templates`);
  return [
    '{% extends parent_template %}',
    '',
    ...Object.entries(LIST_OVERRIDES).flatMap(([name, what]) => [`{# no ${what}: nothing is fetched from outside the gap #}`, `{% set ${name} = [] %}`]),
    '',
    ...Object.entries(blocks).flatMap(([name, body]) => [`{% block ${name} %}`, ...body, '{% endblock %}', '']),
  ].join('\n');
}
