import { paragraphs } from './deb822.ts';
import { parseDepends, formatRelation, type Relation } from './depends.ts';
import { satisfies } from './version.ts';
import { candidate, DEFAULT_PIN_PRIORITY } from './candidate.ts';
import { AirgapError, FormatError } from '../util/errors.ts';

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
  /** which source it came from (`<url> <suite>/<component>`), for messages */
  origin: string;
  /** the pin priority of that source (candidate.ts): the highest wins, then the highest version */
  pinPriority: number;
  /** the stanza as the source wrote it (field names and order kept: debootstrap greps them) */
  control: string;
}

/** Packages file text → packages; a stanza without Filename or SHA256 is refused, naming it. */
export function parsePackages(text: string, origin: string, where: string, pinPriority = DEFAULT_PIN_PRIORITY): DebPackage[] {
  const out: DebPackage[] = [];
  for (const control of text.split(/\n[ \t]*\n/).map((s) => s.trim()).filter(Boolean)) {
    const p = paragraphs(control, where).next().value!;
    const name = p.get('package');
    const sha256 = p.get('sha256');
    const filename = p.get('filename');
    if (!name || !sha256 || !filename || !p.get('version')) throw new FormatError(where, `stanza ${name ?? '(no Package)'}`, `stanza ${name ?? '(no Package)'} lacks Version, Filename or SHA256`);
    out.push({
      name, version: p.get('version')!, architecture: p.get('architecture') ?? 'all', filename, sha256, size: Number(p.get('size') ?? 0),
      priority: p.get('priority'), essential: p.get('essential') === 'yes',
      depends: [...parseDepends(p.get('pre-depends'), where, `${name} Pre-Depends`), ...parseDepends(p.get('depends'), where, `${name} Depends`)],
      provides: parseDepends(p.get('provides'), where, `${name} Provides`).flat(), origin, pinPriority, control,
    });
  }
  return out;
}

/**
 * The dependency closure of the wanted packages for one architecture, with apt's candidates: each
 * name has one candidate version (candidate.ts: highest pin priority, then highest version, across
 * every source; a wanted relation with a version, `hello (= 2.10-3)`, pins that name for the
 * whole closure, not only where it was asked for), and a dependency is satisfied by a candidate or
 * not at all. As in apt, a versioned dependency the candidate does not satisfy does not reach for
 * another version of that name: the next alternative is tried, and if none is left the lock fails
 * naming the package, the constraint, the candidate and who needed it. Followed: Pre-Depends and
 * Depends, alternatives (one already chosen wins, else the first that a candidate satisfies, as
 * apt does), virtual packages through the candidates of their providers (versioned provides
 * honoured), `:any` and arch `all`. Pure: the same inputs give the same set, sorted by name.
 */
export function resolveClosure(pkgs: DebPackage[], wanted: Relation[], arch: string): DebPackage[] {
  const byName = new Map<string, DebPackage[]>();
  const providers = new Map<string, { pkg: DebPackage; rel: Relation }[]>();
  for (const p of pkgs) {
    if (p.architecture !== arch && p.architecture !== 'all') continue;
    byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
    for (const rel of p.provides) providers.set(rel.name, [...(providers.get(rel.name) ?? []), { pkg: p, rel }]);
  }
  // A wanted package with a version is a pin: its candidate is chosen among what the pin allows.
  const pins = new Map(wanted.filter((w) => w.op).map((w) => [w.name, w]));
  const candidates = new Map<string, DebPackage | undefined>();
  const candidateOf = (name: string) => {
    if (!candidates.has(name)) candidates.set(name, candidate(byName.get(name) ?? [], pins.get(name)));
    return candidates.get(name);
  };
  // what satisfies one alternative: the name's candidate if its version fits, or a provider's candidate
  const satisfiers = (r: Relation): DebPackage[] => {
    const out: DebPackage[] = [];
    const own = candidateOf(r.name);
    if (own && (!r.op || satisfies(own.version, r.op, r.version!))) out.push(own);
    for (const { pkg, rel } of providers.get(r.name) ?? []) {
      if (candidateOf(pkg.name) !== pkg || out.includes(pkg)) continue;
      if (!r.op || (rel.op === '=' && satisfies(rel.version!, r.op, r.version!))) out.push(pkg);
    }
    return out;
  };
  const chosen = new Map<string, DebPackage>();
  const queue: { rel: Relation[]; from: string }[] = wanted.map((w) => ({ rel: [w], from: '(requested)' }));
  while (queue.length) {
    const { rel: alts, from } = queue.shift()!;
    // an alternative already in the set satisfies the group
    if (alts.some((a) => satisfiers(a).some((c) => chosen.get(c.name) === c))) continue;
    const alt = alts.find((a) => satisfiers(a).length);
    if (!alt) throw unsatisfiable(from, alts, arch, { byName, providers, candidateOf, pins });
    const cands = satisfiers(alt);
    // the real package first; among providers, apt's order of candidates (priority, then version)
    const pick = cands.find((c) => c.name === alt.name) ?? candidate(cands) ?? cands[0];
    chosen.set(pick.name, pick);
    for (const group of pick.depends) queue.push({ rel: group, from: `${pick.name} ${pick.version}` });
  }
  return [...chosen.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Why no alternative of a group can be had, per alternative: nothing by that name, a pin that
 * excludes every version, or a candidate that does not satisfy the constraint (then naming a
 * version that would, which apt does not fall back to either).
 */
function unsatisfiable(from: string, alts: Relation[], arch: string, o: {
  byName: Map<string, DebPackage[]>; providers: Map<string, { pkg: DebPackage }[]>; candidateOf: (n: string) => DebPackage | undefined; pins: Map<string, Relation>;
}): AirgapError {
  const { byName, providers, candidateOf, pins } = o;
  let fits: { name: string; version: string } | undefined;
  const why = alts.map((a) => {
    const c = candidateOf(a.name);
    const pin = pins.get(a.name);
    const by = [...new Set((providers.get(a.name) ?? []).map(({ pkg }) => pkg.name))];
    if (!c && by.length) return `${a.name} is virtual, provided by ${by.join(', ')}, but not by a candidate with a version that satisfies it`;
    if (!c) return pin && byName.has(a.name) ? `${a.name} is pinned to "${formatRelation(pin)}", which no version satisfies` : `no package ${a.name} for ${arch}`;
    // the version apt would take if it were asked for this one explicitly
    const other = a.op ? candidate(byName.get(a.name) ?? [], a) : undefined;
    if (other) fits ??= { name: a.name, version: other.version };
    return `the candidate of ${a.name} is ${c.version} (${c.origin}, pin priority ${c.pinPriority}${pin ? `, pinned "${formatRelation(pin)}"` : ''})${other ? `; ${other.version} (${other.origin}) would satisfy it, but apt takes only the candidate` : ''}`;
  });
  return new AirgapError(`${from}: cannot satisfy "${alts.map(formatRelation).join(' | ')}" for ${arch}: ${why.join('; ')}`, {
    hint: fits
      ? `apt would fail the same way; to take ${fits.name} ${fits.version}, pin it ("${fits.name}=${fits.version}" in packages) or give its source a higher pinPriority`
      : 'add the source (suite, component) that has it, or the package itself',
  });
}
