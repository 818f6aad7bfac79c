import { z } from 'zod';
import { isSafeRelativePath } from '../../util/paths.ts';
import { paragraphs } from '../../apt/deb822.ts';
import { artifactId, REPOSITORY_ROOT_NAMES } from '../fields.ts';
import { urlField } from '../url-field.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');
const pkg = z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, 'a Debian package name');
/** `name`, `name=version` (as apt-get install takes it) or `name (>= version)` (as Depends writes it) */
const wantedPkg = z.string().regex(/^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+| ?\((<<|<=|=|>=|>>) ?[A-Za-z0-9.+~:-]+\))?$/, 'a package name, name=version or name (>= version)');

const suiteName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a suite name (no slashes)');
const component = z.string().regex(/^[a-z0-9-]+$/, 'a component name');
const arch = z.string().regex(/^[a-z0-9-]+$/, 'an architecture name');
/** a top-level directory of the gap's repository: not one the repository itself uses */
const repositoryName = name.refine((n) => !REPOSITORY_ROOT_NAMES.includes(n), `not one of the repository's own names (${REPOSITORY_ROOT_NAMES.join(', ')})`);
const inside = z.strictObject({ repository: repositoryName.default('debian'), suite: suiteName.optional() });
/**
 * apt_preferences' Pin-Priority for every suite of a source (apt keeps it in a signed short).
 * Unset: apt's default for the suite's Release (500; 100 or 1 for NotAutomatic suites). The
 * candidate of a name is its version of highest priority, then the highest version (adr/0021).
 */
const pinPriority = z.number().int().min(-32768).max(32767).optional();

/**
 * Another signed repository the same closure takes packages from (a vendor's repository whose
 * packages depend on the distribution's, a security archive): its own keyring, its own place
 * inside the gap. It offers candidates like the entry's own suites, at the same priority unless
 * `pinPriority` says otherwise (a vendor repository preferred for what it has: 600).
 */
export const aptSource = z.strictObject({
  url: urlField(),
  suites: z.array(suiteName).min(1),
  components: z.array(z.string().regex(/^[a-z0-9-]+$/)).default(['main']),
  keyring: z.string().min(1),
  allowExpired: z.boolean().default(false),
  as: inside,
  pinPriority,
});
export type AptSource = z.infer<typeof aptSource>;

/** Debian packages from signed repositories: what to take, and its dependency closure. */
export const aptEntry = z.strictObject({
  name,
  /** the repository root (the directory holding dists/ and pool/) */
  url: urlField(),
  /** the suites of this source; their order does not choose versions (apt's candidate, adr/0021); the first names the served suite unless as.suite */
  suites: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a suite name (no slashes)')).min(1),
  components: z.array(z.string().regex(/^[a-z0-9-]+$/)).default(['main']),
  architectures: z.array(z.string().regex(/^[a-z0-9-]+$/)).default(['amd64']),
  /** the keyring that signs the upstream (binary .gpg or armoured .asc), relative to the release dir */
  keyring: z.string().min(1),
  packages: z.array(wantedPkg).default([]),
  /** add every package of these priorities (bootstrapping sets) */
  priorities: z.array(z.enum(['required', 'important'])).default([]),
  closure: z.boolean().default(true),
  allowExpired: z.boolean().default(false),
  /** the repository and suite inside the gap */
  as: inside.default({ repository: 'debian' }),
  /** the pin priority of the entry's own suites (see pinPriority) */
  pinPriority,
  /** more sources for the same closure (see aptSource) */
  also: z.array(aptSource).default([]),
});
export type AptEntry = z.infer<typeof aptEntry>;

/**
 * a pool path: relative, no hidden segment (the index sidecars live in .packages/), not in dists/,
 * no control character (it is written into the signed Packages as the stanza's Filename line)
 */
const poolPath = z.string().refine((p) => isSafeRelativePath(p) && p.endsWith('.deb') && !p.split('/').some((s) => s.startsWith('.')) && !p.startsWith('dists/') && !/[\x00-\x1f\x7f]/.test(p),
  'a relative pool path to a .deb (no hidden segment, not under dists/, no control character)');

export const aptLocked = z.strictObject({
  kind: z.literal('apt'),
  id: artifactId,
  name: pkg,
  version: z.string().regex(/^[A-Za-z0-9.+~:-]+$/, 'a Debian version'),
  architecture: arch,
  url: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  /** the pool path inside the gap's repository (from upstream: checked before it names a path) */
  filename: poolPath,
  repository: repositoryName,
  suite: suiteName,
  component,
  /** the binary-<arch> indexes it belongs in (several for Architecture: all) */
  indexes: z.array(arch).min(1),
  /** the upstream Packages stanza: the index inside the gap is written from it */
  control: z.string(),
}).superRefine((a, ctx) => {
  // The stanza goes into the signed index as it is: one stanza, about this very file.
  const why = controlMismatch(a);
  if (why) ctx.addIssue({ code: 'custom', path: ['control'], message: why });
});

function controlMismatch(a: { name: string; version: string; architecture: string; sha256: string; size: number; control: string }): string | undefined {
  if (/\n[ \t]*\n/.test(a.control.trim())) return 'more than one stanza';
  let p: Map<string, string>;
  try {
    p = paragraphs(a.control).next().value ?? new Map();
  } catch (err) {
    return (err as Error).message;
  }
  const want: [string, string | undefined, string][] = [
    ['Package', p.get('package'), a.name], ['Version', p.get('version'), a.version],
    ['Architecture', p.get('architecture') ?? 'all', a.architecture], ['SHA256', p.get('sha256'), a.sha256],
  ];
  if (p.has('size')) want.push(['Size', p.get('size'), String(a.size)]);
  const bad = want.find(([, got, expected]) => got !== expected);
  return bad ? `its ${bad[0]} is "${bad[1]}", the lock says "${bad[2]}"` : undefined;
}
export type AptLocked = z.infer<typeof aptLocked>;
