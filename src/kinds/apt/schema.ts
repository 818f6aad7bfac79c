import { z } from 'zod';
import { isSafeRelativePath } from '../../util/paths.ts';
import { urlField } from '../url-field.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');
const pkg = z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, 'a Debian package name');
/** `name`, `name=version` (as apt-get install takes it) or `name (>= version)` (as Depends writes it) */
const wantedPkg = z.string().regex(/^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+| ?\((<<|<=|=|>=|>>) ?[A-Za-z0-9.+~:-]+\))?$/, 'a package name, name=version or name (>= version)');

const suiteName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a suite name (no slashes)');
const inside = z.strictObject({ repository: name.default('debian'), suite: suiteName.optional() });

/**
 * Another signed repository the same closure takes packages from (a vendor's repository whose
 * packages depend on the distribution's): its own keyring, its own place inside the gap. It ranks
 * before the entry's own suites, as a vendor repository is added to be preferred for what it has.
 */
export const aptSource = z.strictObject({
  url: urlField(),
  suites: z.array(suiteName).min(1),
  components: z.array(z.string().regex(/^[a-z0-9-]+$/)).default(['main']),
  keyring: z.string().min(1),
  allowExpired: z.boolean().default(false),
  as: inside,
});
export type AptSource = z.infer<typeof aptSource>;

/** Debian packages from signed repositories: what to take, and its dependency closure. */
export const aptEntry = z.strictObject({
  name,
  /** the repository root (the directory holding dists/ and pool/) */
  url: urlField(),
  /** in priority order: a suite listed first wins over later ones (see adr/0012) */
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
