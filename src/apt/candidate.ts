import { compareVersions, satisfies } from './version.ts';
import type { Relation } from './depends.ts';
import type { Release } from './release.ts';

/** What every source gets unless its Release or the declaration says otherwise (apt_preferences(5)). */
export const DEFAULT_PIN_PRIORITY = 500;

/** One version of a name as a source offers it: enough to choose among them. */
export interface Offered { version: string; pinPriority: number }

/**
 * A source's pin priority when the declaration gives none, as apt assigns it: 1 for a Release
 * marked `NotAutomatic: yes` (experimental), 100 if it is also `ButAutomaticUpgrades: yes`
 * (Debian's backports), otherwise 500. The declaration's `pinPriority` replaces it, as an
 * apt_preferences `Pin: release` entry would.
 */
export function releasePinPriority(r: Pick<Release, 'notAutomatic' | 'butAutomaticUpgrades'>): number {
  if (!r.notAutomatic) return DEFAULT_PIN_PRIORITY;
  return r.butAutomaticUpgrades ? 100 : 1;
}

/**
 * apt's candidate among the versions offered for one name, for a system with nothing installed
 * (the lock describes what a fresh image installs): the highest pin priority, then the highest
 * version in dpkg's order. A version offered by several sources counts with the highest of their
 * priorities, which choosing over every (priority, version) pair gives as well; the first offer
 * wins a full tie, so the declaration's source order decides which copy of identical bytes is
 * taken. A negative priority never becomes the candidate. An explicit pin (`name=version` or
 * `name (op version)` in `packages`) overrides priorities, as `apt-get install name=version` does:
 * only versions that satisfy it count, then the same order.
 */
export function candidate<T extends Offered>(offered: readonly T[], pin?: Relation): T | undefined {
  let best: T | undefined;
  for (const p of offered) {
    if (pin?.op ? !satisfies(p.version, pin.op, pin.version!) : p.pinPriority < 0) continue;
    if (!best || p.pinPriority > best.pinPriority || (p.pinPriority === best.pinPriority && compareVersions(p.version, best.version) > 0)) best = p;
  }
  return best;
}
