import { KOLLA_2024_1, type KollaOptions } from './options.ts';
import { AirgapError } from '../util/errors.ts';

export interface KollaSource { type: 'url' | 'git' | 'local'; location: string; reference?: string; sha256?: string }

export interface KollaBuildConfInput {
  /** the base image Kolla builds on, in the internal registry: host:port/namespace/name */
  baseImage: string;
  baseTag: string;
  /** where the built images go */
  registry: string;
  namespace: string;
  tag: string;
  push: boolean;
  /** the served raw repository that holds the tarballs ($tarballs_base) */
  tarballsBase: string;
  profile?: string;
  regex?: string[];
  /** per source section: where its tarball is inside the gap, and its sha256 from the lock */
  sources: Record<string, KollaSource>;
  templateOverride: string;
  reposYaml: string;
  workDir?: string;
  /** kolla-build writes its result (built, failed, …) here as JSON */
  summaryJsonFile?: string;
}

/**
 * `key = value`. A list is a ListOpt's comma-joined value, but a MultiOpt (regex, profile,
 * template_override, docker_dir) is one line per value: oslo reads `regex = a,b` as the one
 * pattern "a,b", which matches no image, and kolla-build then builds nothing and exits 0.
 */
function line(k: string, v: string | boolean | string[], o: KollaOptions = KOLLA_2024_1): string {
  if (!Array.isArray(v)) return `${k} = ${String(v)}`;
  return o.default[k]?.type === 'MultiOpt' ? v.map((x) => `${k} = ${x}`).join('\n') : `${k} = ${v.join(',')}`;
}

/**
 * kolla-build.conf for an offline build: base and base_image/base_tag from the internal registry
 * (pull stays on: `base` pulls its parent, which is ours), push to the internal registry,
 * tarballs from the served raw repository, and every source pinned to a location and sha256.
 * Checked before it is returned: an option Kolla does not know is an error, not a silent no-op.
 */
export function renderKollaBuildConf(i: KollaBuildConfInput, o: KollaOptions = KOLLA_2024_1): string {
  const d = [
    line('base', 'debian'), line('base_image', i.baseImage), line('base_tag', i.baseTag), line('base_arch', 'x86_64'),
    line('registry', i.registry), line('namespace', i.namespace), line('tag', i.tag), line('push', i.push), line('pull', true),
    line('tarballs_base', i.tarballsBase), line('template_override', i.templateOverride), line('repos_yaml', i.reposYaml),
    line('openstack_release', '2024.1'), line('engine', 'docker'), line('skip_existing', false),
    ...(i.profile ? [line('profile', i.profile)] : []), ...(i.regex?.length ? [line('regex', i.regex)] : []),
    ...(i.workDir ? [line('work_dir', i.workDir)] : []),
    ...(i.summaryJsonFile ? [line('format', 'json'), line('summary_json_file', i.summaryJsonFile)] : []),
  ];
  const sections = Object.keys(i.sources).sort().map((name) => {
    const s = i.sources[name];
    return [`[${name}]`, line('type', s.type), line('location', s.location), ...(s.reference ? [line('reference', s.reference)] : []), ...(s.sha256 ? [line('sha256', s.sha256)] : [])].join('\n');
  });
  const text = ['# written by airgap build kolla: every source from inside the gap', '[DEFAULT]', ...d, '', ...sections.flatMap((s) => [s, '']), ''].join('\n');
  const problems = checkKollaBuildConf(text, o);
  if (problems.length) throw new AirgapError(`kolla-build.conf: ${problems.join('; ')}`);
  return text;
}

/** oslo.config's INI, as far as kolla-build.conf uses it: sections, key = value, # comments. */
export function parseIni(text: string): { section: string; key: string; line: number }[] {
  const out: { section: string; key: string; line: number }[] = [];
  let section = 'DEFAULT';
  text.split('\n').forEach((raw, n) => {
    const l = raw.trim();
    if (!l || l.startsWith('#') || l.startsWith(';')) return;
    const sec = /^\[([^\]]+)\]$/.exec(l);
    if (sec) { section = sec[1]; return; }
    const kv = /^([^=:\s]+)\s*[=:]/.exec(l);
    out.push({ section, key: kv ? kv[1] : l, line: n + 1 });
  });
  return out;
}

/**
 * Every key of a kolla-build.conf that Kolla 2024.1 would ignore, with its line: unknown [DEFAULT]
 * options (dashed spellings included: oslo matches only the underscore form), sections that are
 * neither a source nor a <source>-plugin-* / -additions-* nor a user section, and keys those
 * sections do not take. [profiles] takes any key.
 */
export function checkKollaBuildConf(text: string, o: KollaOptions = KOLLA_2024_1): string[] {
  const problems: string[] = [];
  const unknownSections = new Set<string>();
  const seen = new Set<string>();
  for (const { section, key, line: n } of parseIni(text)) {
    const s = section === 'DEFAULT' ? 'DEFAULT' : section.toLowerCase();
    // oslo keeps the last of a repeated key, unless the option takes many lines
    if (seen.has(`${s}.${key}`) && !(s === 'DEFAULT' && o.default[key]?.type === 'MultiOpt')) problems.push(`line ${n}: [${section}] ${key} is set twice; only this last value counts`);
    seen.add(`${s}.${key}`);
    if (s === 'DEFAULT') {
      if (!(key in o.default)) problems.push(`line ${n}: [DEFAULT] ${key} is not a kolla-build option${key.includes('-') && key.replace(/-/g, '_') in o.default ? ` (write ${key.replace(/-/g, '_')})` : ''}`);
    } else if (s === 'profiles') {
      continue;
    } else if (s in o.userSections) {
      if (!o.userSectionOptions.includes(key)) problems.push(`line ${n}: [${section}] ${key} is not a user option (${o.userSectionOptions.join(', ')})`);
    } else {
      const base = s.replace(/-(plugin|additions)-.+$/, '');
      if (!(s in o.sources) && !(base in o.sources)) {
        if (!unknownSections.has(s)) problems.push(`line ${n}: [${section}] is not a source section of Kolla ${o.source.ref}`);
        unknownSections.add(s);
      }
      else if (!o.sourceSectionOptions.includes(key)) problems.push(`line ${n}: [${section}] ${key} is not a source option (${o.sourceSectionOptions.join(', ')})`);
    }
  }
  return problems;
}
