/**
 * What Kolla 2024.1's Dockerfiles fetch that no kind of the factory carries yet, per image (from
 * the templates of kolla 18.8.0): a selection with one of these images is refused at lock, in
 * Env A, naming it, instead of failing in Env B's kolla-build.
 */
export const NOT_CARRIED: Record<string, string> = {
  'kolla-toolbox': 'Ansible Galaxy collections (ansible-galaxy collection install, block kolla_toolbox_collections_install)',
  'bifrost-base': 'Ansible Galaxy collections (ansible-galaxy collection install of bifrost\'s requirements)',
  fluentd: 'RubyGems (fluent-gem install of fluentd_plugins, block fluentd_plugins_install)',
};

export const notCarried = (images: string[]): string[] => images.filter((i) => NOT_CARRIED[i]).map((i) => `${i}: ${NOT_CARRIED[i]}`);
