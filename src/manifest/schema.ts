import { z } from 'zod';
import { kinds } from '../kinds/index.ts';
import { buildSection, type BuildSection } from '../build/schema.ts';
import { generators } from '../generators/index.ts';
import { releaseVersion } from './version.ts';

export { releaseVersion };

/**
 * factory.yaml: what a release needs. One optional list per kind, keyed by the kind's name, so a
 * new kind adds a section without touching this file's logic.
 */
export function manifestSchema() {
  const sections = Object.fromEntries([...kinds, ...generators].map((k) => [k.name, z.array(k.entry).optional()]));
  return z.strictObject({
    version: releaseVersion,
    description: z.string().optional(),
    ...sections,
    build: buildSection.optional(),
  });
}

export interface Manifest {
  version: string;
  description?: string;
  build?: BuildSection;
  [kind: string]: unknown;
}
