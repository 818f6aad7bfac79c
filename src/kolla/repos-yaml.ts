import { stringify } from 'yaml';
import { KOLLA_2024_1, type KollaOptions } from './options.ts';
import { AirgapError } from '../util/errors.ts';

export interface AptRepo { url: string; suite: string; component: string; gpg_key: string }

/**
 * repos.yaml for Kolla's Debian base: every third-party repository Kolla adds points at the
 * internal apt repository instead (same name, so Kolla's templates find it), signed by the
 * factory key. Kolla 2024.1 keys repositories by name under the distro (a mapping, not a list).
 */
export function renderReposYaml(repos: Record<string, AptRepo>, o: KollaOptions = KOLLA_2024_1): string {
  const problems = checkReposYaml({ debian: repos as unknown as Record<string, Record<string, unknown>> }, o);
  if (problems.length) throw new AirgapError(`repos.yaml: ${problems.join('; ')}`);
  return stringify({ debian: repos });
}

export function checkReposYaml(doc: Record<string, Record<string, Record<string, unknown>>>, o: KollaOptions = KOLLA_2024_1): string[] {
  const problems: string[] = [];
  for (const [distro, repos] of Object.entries(doc)) {
    if (!o.reposYaml.topLevelKeys.includes(distro)) { problems.push(`${distro}: not a distro Kolla reads (${o.reposYaml.topLevelKeys.join(', ')})`); continue; }
    for (const [name, entry] of Object.entries(repos ?? {})) {
      for (const k of Object.keys(entry)) if (!o.reposYaml.debianEntryKeys.includes(k) && k !== 'arch') problems.push(`${distro}.${name}.${k}: not a repository key (${o.reposYaml.debianEntryKeys.join(', ')})`);
      for (const k of o.reposYaml.debianEntryKeys) if (!(k in entry)) problems.push(`${distro}.${name}: ${k} missing`);
    }
  }
  return problems;
}
