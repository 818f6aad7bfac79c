import { z } from 'zod';
import { artifactId } from '../fields.ts';
import { urlField } from '../url-field.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');

/** A target the index must serve: a Python version and the platform tags pip may pick for it. */
const target = z.strictObject({
  python: z.string().regex(/^3\.\d+$/, 'a Python version like 3.11'),
  platforms: z.array(z.string().regex(/^[a-z0-9_]+$/)).min(1),
  implementation: z.string().regex(/^[a-z]{2}$/).default('cp'),
  abi: z.string().regex(/^[a-z0-9_]+$/).optional(),
});

/** Python packages: requirements resolved by pip itself, once per target, against an index. */
export const pypiEntry = z.strictObject({
  name,
  /** the index pip resolves against; absent: the one the host's pip is configured with (pip config), else pip's default */
  index: urlField().optional(),
  requirements: z.array(z.string().min(1)).min(1),
  /** a constraints file: a path (relative to the release directory) or a URL */
  constraints: z.string().optional(),
  targets: z.array(target).min(1),
  sdists: z.boolean().default(false),
  /** the Python that resolves (its environment markers decide, e.g. python_full_version); default: python3 on PATH */
  interpreter: z.string().min(1).optional(),
});
export type PypiEntry = z.infer<typeof pypiEntry>;

export const pypiLocked = z.strictObject({
  kind: z.literal('pypi'),
  id: artifactId,
  /** the project, PEP 503-normalised (it names pypi/simple/<name>/) */
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a PEP 503-normalised project name'),
  version: z.string().regex(/^[\x21-\x7e]+$/, 'printable, no spaces'),
  /** it names pypi/packages/<filename>: one segment, not hidden */
  filename: z.string().regex(/^[A-Za-z0-9][^/\\\x00-\x1f\x7f]*\.(whl|tar\.gz|zip)$/, 'a wheel or sdist file name'),
  url: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  requiresPython: z.string().optional(),
  /** which targets resolved to this file, e.g. cp3.11-manylinux2014_x86_64 */
  targets: z.array(z.string()).min(1),
});
export type PypiLocked = z.infer<typeof pypiLocked>;
