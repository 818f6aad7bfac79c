import { z } from 'zod';
import { isSafeRelativePath } from '../../util/paths.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');
const pkg = z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, 'a Debian package name');
/** `name`, `name=version` (as apt-get install takes it) or `name (>= version)` (as Depends writes it) */
const wantedPkg = z.string().regex(/^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+| ?\((<<|<=|=|>=|>>) ?[A-Za-z0-9.+~:-]+\))?$/, 'a package name, name=version or name (>= version)');

const suiteName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a suite name (no slashes)');
const inside = z.strictObject({ repository: name.default('debian'), suite: suiteName.optional() });
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
  url: z.string().min(1),
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
  url: z.string().min(1),
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

export const aptLocked = z.strictObject({
  kind: z.literal('apt'),
  id: z.string(),
  name: pkg,
  version: z.string().regex(/^[A-Za-z0-9.+~:-]+$/, 'a Debian version'),
  architecture: z.string().regex(/^[a-z0-9-]+$/),
  url: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  /** the pool path inside the gap's repository (from upstream: checked before it names a path) */
  filename: z.string().refine((p) => isSafeRelativePath(p) && p.endsWith('.deb'), 'a relative pool path to a .deb'),
  repository: z.string(),
  suite: z.string(),
  component: z.string(),
  /** the binary-<arch> indexes it belongs in (several for Architecture: all) */
  indexes: z.array(z.string()).min(1),
  /** the upstream Packages stanza: the index inside the gap is written from it */
  control: z.string(),
});
export type AptLocked = z.infer<typeof aptLocked>;
