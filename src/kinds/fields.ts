import { z } from 'zod';

/**
 * Lock fields every kind shares, as strict as Env A writes them: Env B reads the lock as
 * untrusted content (adr/0019), and an id is printed in problems, journals and evidence.
 */
export const artifactId = z.string().regex(/^[a-z]+:[\x21-\x7e]{1,400}$/, '<kind>:<name>…, printable characters without spaces');

/** Names the repository root already uses (repository/layout.ts): a repository named so would write into them. */
export const REPOSITORY_ROOT_NAMES = ['blobs', 'raw', 'git', 'pypi', 'oci-layout', 'index.json', 'refs', 'tmp'];
