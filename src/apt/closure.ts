import { paragraphs } from './deb822.ts';
import { parseDepends, formatRelation, type Relation } from './depends.ts';
import { compareVersions, satisfies } from './version.ts';
import { AirgapError } from '../util/errors.ts';

export interface DebPackage {
  name: string;
  version: string;
  architecture: string;
  filename: string;
  sha256: string;
  size: number;
  priority?: string;
  essential: boolean;
  depends: Relation[][];
  provides: Relation[];
  /** which source it came from (suite), for pinning */
  origin: string;
  /** the stanza as the source wrote it (field names and order kept: debootstrap greps them) */
  control: string;
}

/** Packages file text → packages; a stanza without Filename or SHA256 is refused, naming it. */
export function parsePackages(text: string, origin: string, where: string): DebPackage[] {
  const out: DebPackage[] = [];
  for (const control of text.split(/\n[ \t]*\n/).map((s) => s.trim()).filter(Boolean)) {
    const p = paragraphs(control).next().value!;
    const name = p.get('package');
    const sha256 = p.get('sha256');
    const filename = p.get('filename');
    if (!name || !sha256 || !filename || !p.get('version')) throw new Error(`${where}: stanza ${name ?? '(no Package)'} lacks Version, Filename or SHA256`);
    out.push({
      name, version: p.get('version')!, architecture: p.get('architecture') ?? 'all', filename, sha256, size: Number(p.get('size') ?? 0),
      priority: p.get('priority'), essential: p.get('essential') === 'yes',
      depends: [...parseDepends(p.get('pre-depends')), ...parseDepends(p.get('depends'))],
      provides: parseDepends(p.get('provides')).flat(), origin, control,
    });
  }
  return out;
}

/**
 * The dependency closure of the wanted packages for one architecture: Pre-Depends and Depends,
 * alternatives (one already chosen wins, else the first that can be satisfied, as apt does),
 * virtual packages through Provides (versioned provides honoured), `:any` and arch `all`. Among
 * candidates the highest version wins; sources earlier in `priority` win over later ones whatever
 * the version (the pinning rule of adr/0012: an updates suite listed first overrides
 * the release). A wanted relation with a version (`hello (= 2.10-3)`) pins that name everywhere
 * in the closure, not only where it was asked for. Pure: the same inputs give the same set, sorted by name.
 */
export function resolveClosure(pkgs: DebPackage[], wanted: Relation[], arch: string, priority: string[] = []): DebPackage[] {
  const byName = new Map<string, DebPackage[]>();
  const providers = new Map<string, { pkg: DebPackage; rel: Relation }[]>();
  for (const p of pkgs) {
    if (p.architecture !== arch && p.architecture !== 'all') continue;
    byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
    for (const rel of p.provides) providers.set(rel.name, [...(providers.get(rel.name) ?? []), { pkg: p, rel }]);
  }
  const rank = (p: DebPackage) => { const i = priority.indexOf(p.origin); return i < 0 ? priority.length : i; };
  const best = (list: DebPackage[]) => [...list].sort((a, b) => rank(a) - rank(b) || -compareVersions(a.version, b.version))[0];

  // A wanted package with a version is a pin: every path to that name takes only what the pin allows.
  const pins = new Map(wanted.filter((w) => w.op).map((w) => [w.name, w]));
  const pinned = (p: DebPackage) => { const pin = pins.get(p.name); return !pin || satisfies(p.version, pin.op!, pin.version!); };
  const chosen = new Map<string, DebPackage>();
  const candidates = (r: Relation): DebPackage[] => {
    const real = (byName.get(r.name) ?? []).filter((p) => !r.op || satisfies(p.version, r.op, r.version!));
    const virtual = (providers.get(r.name) ?? []).filter(({ rel }) => !r.op || (rel.op === '=' && satisfies(rel.version!, r.op, r.version!))).map(({ pkg }) => pkg);
    return [...real, ...virtual].filter(pinned);
  };
  const queue: { rel: Relation[]; from: string }[] = wanted.map((w) => ({ rel: [w], from: '(requested)' }));
  while (queue.length) {
    const { rel: alts, from } = queue.shift()!;
    // an alternative already in the set satisfies the group
    if (alts.some((a) => candidates(a).some((c) => chosen.get(c.name) === c))) continue;
    const alt = alts.find((a) => candidates(a).length);
    if (!alt) throw new AirgapError(`${from}: cannot satisfy "${alts.map(formatRelation).join(' | ')}" for ${arch}`, { hint: 'add the source (suite, component) that has it, or the package itself' });
    const cands = candidates(alt);
    const already = cands.find((c) => chosen.has(c.name));
    if (already) {
      const have = chosen.get(already.name)!;
      if (!cands.includes(have)) throw new AirgapError(`${from}: needs ${formatRelation(alt)} but ${have.name} ${have.version} is already chosen`);
      continue;
    }
    const pick = best(cands.filter((c) => c.name === alt.name).length ? cands.filter((c) => c.name === alt.name) : cands);
    chosen.set(pick.name, pick);
    for (const group of pick.depends) queue.push({ rel: group, from: `${pick.name} ${pick.version}` });
  }
  return [...chosen.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
