import type { z } from 'zod';
import type { StepContext } from '../kinds/kind.ts';

/**
 * A generator plugs into `lock` before the kinds: its declared entries expand into entries of
 * the other kinds (a Kolla profile becomes tarballs, apt sources, Python packages), which are then
 * locked, mirrored, bundled and imported like anything declared by hand.
 */
export interface Generator<Entry = unknown> {
  name: string;
  entry: z.ZodType<Entry>;
  /** kind name → entries of that kind, as a declaration would write them */
  expand(entries: Entry[], ctx: StepContext): Promise<Record<string, unknown[]>>;
}
