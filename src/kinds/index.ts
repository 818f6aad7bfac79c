import type { ImportOption, Kind, LockedBase } from './kind.ts';
import { fileKind } from './file/index.ts';
import { gitKind } from './git/index.ts';
import { ociKind } from './oci/index.ts';
import { pypiKind } from './pypi/index.ts';
import { aptKind } from './apt/index.ts';
import type { FileLocked } from './file/schema.ts';
import type { GitLocked } from './git/schema.ts';
import type { OciLocked } from './oci/schema.ts';
import type { PypiLocked } from './pypi/schema.ts';
import type { AptLocked } from './apt/schema.ts';
import type { RepositoryFormat } from '../repository/formats.ts';
import { AirgapError, UsageError } from '../util/errors.ts';

/**
 * Every kind the pipeline knows, in the order their sections appear in a declaration. This list
 * and `src/kinds/<kind>/` are all a new kind touches; registerKind adds one at run time.
 */
export const kinds: Kind<any, any>[] = [fileKind, gitKind, ociKind, pypiKind, aptKind];

/** A locked artifact of a built-in kind, narrowed by `kind` (no casts). */
export type LockedArtifact = FileLocked | GitLocked | OciLocked | PypiLocked | AptLocked;

/**
 * The artifacts of one built-in kind, typed by it: for a builder that needs a kind's own fields
 * (a git commit, an apt repository) without casting.
 */
export function artifactsOf<K extends LockedArtifact['kind']>(artifacts: readonly LockedBase[], kind: K): Extract<LockedArtifact, { kind: K }>[] {
  return artifacts.filter((a) => a.kind === kind) as Extract<LockedArtifact, { kind: K }>[];
}

/**
 * Plug in a kind that is not built in (a test's, a site's own): from then on declarations may
 * have its section, locks its artifacts, and every step drives it like the others. Call it before
 * the first step (the declaration and lock schemas are built from `kinds` when read).
 */
export function registerKind(kind: Kind<any, any>): void {
  if (kinds.some((k) => k.name === kind.name)) throw new AirgapError(`a kind named "${kind.name}" is already registered`);
  kinds.push(kind);
}

export function kindOf(artifact: Pick<LockedBase, 'kind' | 'id'>): Kind<unknown, LockedBase> {
  const k = kinds.find((x) => x.name === artifact.kind);
  if (!k) throw new UsageError(`${artifact.id}: unknown kind "${artifact.kind}"`, `known kinds: ${kinds.map((x) => x.name).join(', ')}`);
  return k;
}

/** The pin and source evidence records for an artifact; a pin is never blank. */
export function describeArtifact(a: LockedBase): { pin: string; source: string } {
  const k = kindOf(a);
  const d = k.describe?.(a) ?? { pin: k.pinnedRoot(a)?.digest ?? '', source: '' };
  if (!d.pin) throw new AirgapError(`${a.id}: kind "${k.name}" names no pin for it`, { hint: 'the kind must implement describe() or pinnedRoot(); this is a bug in the kind' });
  return d;
}

/** The kinds a lock carries, each with its artifacts, in registry order. */
export function carriedKinds(artifacts: LockedBase[]): { kind: Kind<unknown, LockedBase>; artifacts: LockedBase[] }[] {
  return kinds.map((kind) => ({ kind, artifacts: artifacts.filter((a) => a.kind === kind.name) })).filter((c) => c.artifacts.length > 0);
}

/** Every import option any kind declares (for `airgap import`'s flags and help). */
export function importOptions(): ImportOption[] {
  return kinds.flatMap((k) => k.importOptions ?? []);
}

/** Refuse, before anything is written, an import that lacks an option a carried kind needs. */
export function checkImportOptions(artifacts: LockedBase[], given: Readonly<Record<string, string | undefined>>): void {
  for (const { kind } of carriedKinds(artifacts)) {
    for (const o of kind.importOptions ?? []) {
      if (o.required && !given[o.flag]) throw new AirgapError(`${o.required.why}; nothing imported`, { exitCode: 2, hint: o.required.hint });
    }
  }
}

/** The served repositories (name → format) the given artifacts land in. */
export function repositoriesOf(artifacts: LockedBase[]): Record<string, RepositoryFormat> {
  return Object.assign({}, ...carriedKinds(artifacts).map(({ kind, artifacts }) => kind.repositories?.(artifacts) ?? { [kind.repository.name]: kind.repository.format }));
}
