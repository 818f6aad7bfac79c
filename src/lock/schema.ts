import { z } from 'zod';
import { kinds } from '../kinds/index.ts';
import { releaseVersion } from '../manifest/version.ts';
import { SHA256_HEX } from '../util/hash.ts';
import { buildSection, type BuildSection } from '../build/schema.ts';

export const LOCK = 'factory.lock.json';
export const LOCK_VERSION = 1;

/** factory.lock.json: every artifact pinned. Same lock ⇒ same bundle bytes. */
export function lockSchema() {
  const locked = kinds.map((k) => k.locked) as unknown as [z.ZodTypeAny, ...z.ZodTypeAny[]];
  return z.strictObject({
    lockVersion: z.literal(LOCK_VERSION),
    version: releaseVersion,
    /** the one timestamp a bundle may carry (tar mtimes, signature comment) */
    created: z.iso.datetime(),
    manifestSha256: z.string().regex(SHA256_HEX),
    artifacts: z.array(z.discriminatedUnion('kind', locked as never)),
    /** what to build from these artifacts (factory.yaml's build:, carried across the gap) */
    build: buildSection.optional(),
    /** the generator sections as declared (defaults filled in): the builders in Env B read them */
    generators: z.record(z.string(), z.array(z.unknown())).optional(),
  });
}

export interface Lock {
  lockVersion: number;
  version: string;
  created: string;
  manifestSha256: string;
  artifacts: import('../kinds/kind.ts').LockedBase[];
  build?: BuildSection;
  generators?: Record<string, unknown[]>;
}
